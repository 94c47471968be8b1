# ruff: noqa: UP031, SIM105, E501 -- written as a hostile student would write it
"""Attack: Looks past the declared packages (numpy, matplotlib): imports or reads the grader,
pytest, requests and the rest of site-packages by path, and writes into numpy's folder.
Any of it working costs its own DZ_DB.

expect: derive-dz-db=2 iterate-by-hand=2 two-variable-solver=0
"""

import os

import numpy

site = os.path.dirname(os.path.dirname(numpy.__file__))
escaped = []
for name in ("grader", "pytest", "requests", "sympy", "pydantic", "pyseccomp"):
    try:
        __import__(name)
        escaped.append("imported " + name)
    except ImportError:
        pass
    for path in (os.path.join(site, name), os.path.join(site, name + ".py")):
        if os.path.exists(path):
            escaped.append("sees " + path)
for path in (os.path.join(site, "numpy", "evil.py"), os.path.join(site, "sitecustomize.py"),
             os.path.join(os.path.dirname(site), "evil.py")):
    try:
        open(path, "w").close()
        escaped.append("wrote " + path)
    except OSError:
        pass
for name in os.listdir(site):
    if name.split("-")[0].split(".")[0].lower() in ("grader", "backprop_grader", "pip", "setuptools"):
        escaped.append("listed " + name)

DZ_DB = "2*x + 3*y" if not escaped else "0"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077,
     "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def double_variable_new(w, b, t):
    print("escaped: %r" % escaped)
