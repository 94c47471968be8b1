"""Autograder for the neural-network course (chapter 2.1 and beyond).

The data flow and one line per package are in the README's "Architecture" section.
"""

from pathlib import Path

__version__ = "0.1.0"

PACKAGE = Path(__file__).resolve().parent  # this package's folder
CHECKOUT = PACKAGE.parent  # the checkout (or the Gradescope bundle) that holds it
TEMPLATES = CHECKOUT / "templates"  # stubs, notebooks, hidden checks, report pages
