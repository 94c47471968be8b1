"""Renderers, pure functions of a `Report`: terminal text, a self-contained HTML page, its plot."""
