"""Autograder for the neural-network course (chapter 2.1 and beyond).

Layout: specs (`spec`) -> rendering (`generate`) -> sandboxed runs (`sandbox`, `harness`)
-> checks in the grading process (`expression`, `table`, `trace`) collected by pytest
(`pytest_plugin`) -> result records (`results`) -> renderers (`render_text`, `render_json`).
"""

__version__ = "0.1.0"
