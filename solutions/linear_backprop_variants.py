"""Known wrong versions of the two-variable solver, for diagnosing a student's trace.

Each takes the reference's arguments and prints a trace in the same format. A student
trace that one of them reproduces is named in the feedback with that variant's hint
(`variants:` in exercises/linear-backprop/two-variable-solver.yaml). Self-contained:
the grader loads it by path, like the reference.
"""

ERROR = 1e-5


def target_function(w: float, b: float) -> tuple[float, float, float]:
    x = 2 * w + 3 * b
    y = 2 * b + 1
    return x, y, x * y


def _loop(w: float, b: float, t: float, step, stop=lambda dz: abs(dz) < ERROR) -> None:  # noqa: ANN001
    while True:
        x, y, z = target_function(w, b)
        delta_z = z - t
        print("w=%f,b=%f,z=%f,delta_z=%f" % (w, b, z, delta_z))
        if stop(delta_z):
            break
        factor_b, factor_w, delta_b, delta_w = step(x, y, delta_z)
        print("factor_b=%f, factor_w=%f, delta_b=%f, delta_w=%f"
              % (factor_b, factor_w, delta_b, delta_w))
        b, w = b - delta_b, w - delta_w
    print("done!")
    print("final b=%f" % b)
    print("final w=%f" % w)


def fixed_factors(w: float, b: float, t: float) -> None:
    """The chapter's `double_variable`: 63 and 18 never recomputed."""
    _loop(w, b, t, lambda x, y, dz: (63.0, 18.0, dz / 63 / 2, dz / 18 / 2))
