"""The `expression` kind: a symbolic answer read in ordinary notation, judged by value and sympy."""
