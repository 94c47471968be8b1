"""The `grader` verbs: a module each, with a keyword-only `main(...)`; cli.py is the click layer."""
