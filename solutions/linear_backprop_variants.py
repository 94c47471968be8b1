"""Known wrong versions of the two-variable solver, for diagnosing a student's trace.

Each takes the reference's arguments (plus, for `double_variable`, keyword parameters the
spec sets) and prints a trace in the same format. A student trace that one of them
reproduces is named in the feedback with that variant's hint (`variants:` in
exercises/linear-backprop/two-variable-solver.yaml). Self-contained: the grader loads it
by path, like the reference, and runs it in the grading process, so every loop here is
bounded: a variant that diverges stops after MAX_ITERATIONS or at the first non-finite z.
"""

import math

ERROR = 1e-5
MAX_ITERATIONS = 60  # enough to recognise a divergence; a student's matching run is cut too


def target_function(w: float, b: float) -> tuple[float, float, float]:
    x = 2 * w + 3 * b
    y = 2 * b + 1
    return x, y, x * y


def double_variable(
    w: float, b: float, t: float, *, recompute: bool = True, share: float = 0.5,
    sign: float = -1.0, threshold: float = ERROR, use_abs: bool = True, w_first: bool = False,
    factor_b: float | None = None, factor_w: float | None = None, update: bool = True,
) -> None:
    """The reference loop with one knob turned: each knob is a classic mistake.

    recompute=False keeps the start's factors (factor_b/factor_w: these constants instead,
    like the chapter's 63 and 18); share=1 charges all of delta_z to each
    variable; sign=+1 moves with the error; threshold/use_abs change the stop test;
    w_first updates w before factor_b (and so delta_b) is computed from it; update=False
    never changes w and b at all.
    """
    x, y, _ = target_function(w, b)
    fixed = (2 * x + 3 * y if factor_b is None else factor_b,
             2 * y if factor_w is None else factor_w)
    recompute = recompute and factor_b is None and factor_w is None
    for _ in range(MAX_ITERATIONS):
        x, y, z = target_function(w, b)
        delta_z = z - t
        print("w=%f,b=%f,z=%f,delta_z=%f" % (w, b, z, delta_z))
        if (abs(delta_z) if use_abs else delta_z) < threshold or not math.isfinite(z):
            break
        f_w = 2 * y if recompute else fixed[1]
        delta_w = delta_z / f_w * share
        new_w = w + sign * delta_w if update else w
        if w_first:  # factor_b from the new w, the old y
            x = 2 * new_w + 3 * b
        f_b = 2 * x + 3 * y if recompute else fixed[0]
        delta_b = delta_z / f_b * share
        print("factor_b=%f, factor_w=%f, delta_b=%f, delta_w=%f" % (f_b, f_w, delta_b, delta_w))
        b, w = (b + sign * delta_b if update else b), new_w
    print("done!")
    print("final b=%f" % b)
    print("final w=%f" % w)


def fixed_factors(w: float, b: float, t: float) -> None:
    """The chapter's `double_variable`: 63 and 18 never recomputed (named by older specs)."""
    double_variable(w, b, t, factor_b=63.0, factor_w=18.0)


def single_variable(w: float, b: float, t: float, *, recompute: bool = True) -> None:
    """The chapter's single-variable loops handed in as the solver: only b moves, charged all
    of delta_z; recompute=False is the first loop, which keeps the factor 63 throughout."""
    for _ in range(MAX_ITERATIONS):
        x, y, z = target_function(w, b)
        delta_z = z - t
        print("w=%f,b=%f,z=%f,delta_z=%f" % (w, b, z, delta_z))
        if abs(delta_z) < ERROR or not math.isfinite(z):
            break
        factor_b = 2 * x + 3 * y if recompute else 63.0
        delta_b = delta_z / factor_b
        print("factor_b=%f, delta_b=%f" % (factor_b, delta_b))
        b = b - delta_b
    print("done!")
    print("final b=%f" % b)
