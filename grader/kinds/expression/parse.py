"""Judge a student's expression answer (untrusted text) against the instructor's, safely.

Student text never reaches eval/sympify: it is normalised, tokenized, checked token by token
against an allowlist, parsed with `ast`, and the sympy expression is built from the checked tree.
sympy is imported lazily because importing it costs ~0.35 s the start-up path must not pay.
"""

from __future__ import annotations

import ast
import functools
import random
import signal
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from grader.kinds.expression.notation import (
    MAX_BITS,
    MAX_DEGREE,
    MAX_EXPONENT,
    ExpressionError,
    ExpressionVerdict,
    checked_tree,
)

_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}


class InstructorExpressionError(ValueError):
    """The spec's answer or a mistake does not parse: the instructor's fault, not a verdict."""


class _Timeout(Exception):
    pass


def _power(sympy: Any, base: tuple, exp: tuple) -> tuple:
    (b, b_deg), (e, e_deg) = base, exp
    if e_deg or not e.is_Rational:
        raise ExpressionError("exponents must be plain numbers, like `x**2`")
    if abs(e) > MAX_EXPONENT:
        raise ExpressionError(f"exponent `{e}` is too large (at most {MAX_EXPONENT})")
    # Refuse huge constants before computing them.
    bits = max(b.p.bit_length(), b.q.bit_length()) if b.is_Rational else 0
    if e.is_Integer and bits * abs(int(e)) > MAX_BITS:
        raise ExpressionError("a number in the expression is too large")
    return sympy.Pow(b, e), b_deg * abs(e)


def _build(node: ast.AST, symbols: Mapping[str, Any], sympy: Any) -> tuple[Any, Any]:
    """The sympy expression for a checked tree, and a bound on its polynomial degree."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        # repr() of a float is its shortest decimal spelling: 0.1 becomes exactly 1/10.
        return sympy.Rational(repr(node.value)), 0
    if isinstance(node, ast.Name) and node.id in symbols:
        return symbols[node.id], 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
        value, deg = _build(node.operand, symbols, sympy)
        return (-value if isinstance(node.op, ast.USub) else value), deg
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left = _build(node.left, symbols, sympy)
        right = _build(node.right, symbols, sympy)
        op = _BINOPS[type(node.op)]
        if op == "pow":
            value, deg = _power(sympy, left, right)
        elif op in ("add", "sub"):
            value = left[0] + right[0] if op == "add" else left[0] - right[0]
            deg = max(left[1], right[1])
        else:
            value = left[0] * right[0] if op == "mul" else left[0] / right[0]
            deg = left[1] + right[1]
        if deg > MAX_DEGREE:
            raise ExpressionError("the expression is too complicated (degree too high)")
        if value.is_Rational and max(value.p.bit_length(), value.q.bit_length()) > MAX_BITS:
            raise ExpressionError("a number in the expression is too large")
        return value, deg
    # Unreachable with the token allowlist; kept so a tokenizer change cannot open a hole.
    raise ExpressionError("only numbers, variables, + - * / ** and parentheses are allowed")


def parse_expression(text: str, allowed_names: Sequence[str]) -> Any:
    """The sympy expression for untrusted `text`; raises ExpressionError with the reason."""
    tree = checked_tree(text, allowed_names)
    import sympy

    symbols = {name: sympy.Symbol(name) for name in allowed_names}
    value, _ = _build(tree.body, symbols, sympy)
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise ExpressionError("the expression divides by zero")
    return value


@functools.lru_cache(maxsize=256)
def _instructor(text: str, names: tuple[str, ...]) -> Any:
    try:
        return parse_expression(text, names)
    except ExpressionError as exc:  # a broken spec, not a student fault
        raise InstructorExpressionError(f"instructor expression {text!r}: {exc}") from exc


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Raise _Timeout after `seconds` of this process's CPU time (ITIMER_PROF), not wall time:
    a busy machine must not turn a student's correct answer into a timeout."""

    def on_alarm(signum: int, frame: object) -> None:
        raise _Timeout

    old = signal.signal(signal.SIGPROF, on_alarm)
    signal.setitimer(signal.ITIMER_PROF, max(seconds, 0.001))  # 0 would mean "no limit"
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)


def _within(seconds: float, fn: Callable[[], ExpressionVerdict]) -> ExpressionVerdict:
    """fn() or _Timeout: a CPU-time timer in the main thread, else a daemon thread we stop
    waiting for after three times `seconds` of wall time (a wall clock needs slack)."""
    free_timer = hasattr(signal, "setitimer") and signal.getitimer(signal.ITIMER_PROF)[0] == 0
    if free_timer and threading.current_thread() is threading.main_thread():
        with _alarm(seconds):
            return fn()
    box: list = []

    def run() -> None:
        try:
            box.append(fn())
        except BaseException as exc:  # handed to the caller's thread below
            box.append(exc)

    # A thread cannot be killed: on timeout it runs on, bounded by the size caps above.
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds * 3)
    if not box:
        raise _Timeout
    if isinstance(box[0], BaseException):
        raise box[0]
    return box[0]


def _same(a: Any, b: Any, sympy: Any) -> bool:
    """a == b over the whole domain; random exact points first, as a cheap filter."""
    diff = a - b
    rng = random.Random(20260)  # fixed seed: the same answer always gets the same verdict
    for _ in range(6):
        point = {s: sympy.Rational(rng.randint(-97, 97), rng.randint(1, 13))
                 for s in sorted(diff.free_symbols, key=str)}  # sorted: sets vary per run
        value = diff.xreplace(point)
        if value.has(sympy.zoo, sympy.nan):
            continue  # a pole of either side: try another point
        # evalf is accurate to the digits asked for, and much cheaper than an exact is_zero
        # on radicals; rational functions come out exact anyway.
        if (value != 0) if value.is_Rational else (abs(value.evalf(30)) > 1e-12):
            return False
    if diff.is_rational_function():
        # The usual case: zero iff the numerator is the zero polynomial, decided exactly
        # without simplify()'s heuristics. The size caps keep it to a second or two at worst.
        numerator = sympy.fraction(sympy.together(diff))[0]
        gens = sorted(numerator.free_symbols, key=str)
        return sympy.Poly(numerator, *gens).is_zero if gens else numerator == 0
    return sympy.simplify(sympy.expand(diff)) == 0 or diff.equals(0) is True


def judge_expression(
    text: str, *, answer: str, allowed_names: Sequence[str],
    definitions: Mapping[str, str], point: Mapping[str, float],
    mistakes: Sequence[tuple[str, str]] = (), time_limit: float = 2.0,
) -> ExpressionVerdict:
    if text is None or not str(text).strip():
        return ExpressionVerdict("invalid", "no answer given")
    from grader.kinds.expression.quick import quick_equivalent  # no sympy: the common case is fast

    shown = quick_equivalent(str(text), answer, tuple(allowed_names), definitions)
    if shown is not None:
        return ExpressionVerdict("equivalent", f"Correct: `{shown}` is equivalent to the "
                                 "expected expression.", shown)
    try:
        return _within(time_limit, lambda: _judge(str(text), answer, tuple(allowed_names),
                                                  definitions, point, mistakes))
    except ExpressionError as exc:
        return ExpressionVerdict("invalid", f"{exc}.")
    except _Timeout:
        return ExpressionVerdict("timeout", f"checking the expression took over {time_limit:g} s:"
                                 " simplify it (fewer powers and products) and resubmit.")
    except InstructorExpressionError:
        raise
    except Exception as exc:  # sympy choking on student text is still the student's result
        return ExpressionVerdict("invalid", f"the expression could not be checked "
                                 f"({type(exc).__name__}): write it more plainly.")


def _judge(text: str, answer: str, names: tuple[str, ...], definitions: Mapping[str, str],
           point: Mapping[str, float], mistakes: Sequence[tuple[str, str]]) -> ExpressionVerdict:
    import sympy

    defs = {sympy.Symbol(k): _instructor(v, names) for k, v in definitions.items()}

    def expand_defs(expr: Any) -> Any:  # x, y -> w, b; repeated, definitions may chain
        for _ in range(len(defs) + 1):
            expr = expr.xreplace(defs)
        return expr

    student = parse_expression(text, names)
    shown = sympy.sstr(student)
    mine, expected = expand_defs(student), expand_defs(_instructor(answer, names))
    if mine.has(sympy.zoo, sympy.nan):  # `1/(x - 2w - 3b)`: fine as text, 1/0 once expanded
        raise ExpressionError("the expression divides by zero once x, y are written out")
    if _same(mine, expected, sympy):
        return ExpressionVerdict("equivalent", f"Correct: `{shown}` is equivalent to the "
                                 "expected expression.", shown)
    for wrong, hint in mistakes:
        if _same(mine, expand_defs(_instructor(wrong, names)), sympy):
            return ExpressionVerdict("mistake", f"`{shown}` is a known wrong answer: {hint}",
                                     shown, hint)
    at = {sympy.Symbol(k): sympy.Rational(str(v)) for k, v in point.items()}
    where = ", ".join(f"{k}={v:g}" for k, v in point.items())
    if not mine.free_symbols and expected.free_symbols and mine.is_real is True:
        target = expected.xreplace(at)
        if abs(float(mine) - float(target)) <= 1e-9 * max(1.0, abs(float(target))):
            return ExpressionVerdict("value_only", f"`{shown}` is the value at the start "
                                     f"({where}), not the expression: write it in terms of "
                                     f"{', '.join(names)}.", shown)
        return ExpressionVerdict("not_equivalent", f"`{shown}` is a number: the answer is an "
                                 f"expression in {', '.join(names)}.", shown)
    value = mine.xreplace(at)
    real = value.is_number and value.is_real
    at_point = f" (at {where} it gives {float(value):g})" if real else ""
    return ExpressionVerdict("not_equivalent", f"`{shown}` is not equivalent to the expected "
                             f"expression{at_point}.", shown)
