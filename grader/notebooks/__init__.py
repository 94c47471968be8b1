"""Notebooks: the nbgrader source and release notebooks, their cells, and reading a submission's."""
