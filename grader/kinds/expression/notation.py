"""Expressions in ordinary notation (`2y`, `x²`, `^`, `·`), read safely into an `ast` tree.

Stdlib only: this module is shipped verbatim to students (their public checks and notebook
read answers with it), and the grader reads them with it too, so both agree by construction.
Untrusted text never reaches eval: it is normalised, tokenised, checked token by token
against an allowlist and parsed with `ast`.
"""

from __future__ import annotations

import ast
import io
import keyword
import re
import tokenize
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal

MAX_LENGTH = 500  # characters of student text; real answers are a few dozen
MAX_NESTING = 20  # parenthesis depth; also keeps `ast` far from its recursion limit
MAX_EXPONENT = 16  # |exponent|; `(w+b)**99999` would make expand() run for ever
MAX_DEGREE = 64  # crude polynomial-degree bound over the whole tree, catches nested powers
MAX_BITS = 4096  # size of any exact number built, catches `9**16**16`-style constants
STATUSES = ("equivalent", "value_only", "mistake", "not_equivalent", "invalid", "timeout")
_OPERATORS = {"+", "-", "*", "/", "**", "(", ")"}
_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


@dataclass(frozen=True)
class ExpressionVerdict:
    status: str  # one of STATUSES
    message: str  # one or two sentences a student can act on
    parsed: str = ""  # the student's expression as sympy prints it, "" if it did not parse
    hint: str = ""  # for status "mistake": the instructor's hint for the recognised wrong answer

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> ExpressionVerdict:
        if d.get("status") not in STATUSES:
            raise ValueError(f"unknown expression verdict status {d.get('status')!r}")
        return cls(**{k: str(d.get(k, "")) for k in ("status", "message", "parsed", "hint")})


class ExpressionError(ValueError):
    """Student text rejected before sympy sees it; str() is the student-facing reason."""


def _normalise(text: str) -> str:
    # Superscripts first: NFKC would turn `x²` into `x2`, which reads as x*2.
    text = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", lambda m: "**" + m.group().translate(_SUPERSCRIPTS), text)
    # NFKC turns full-width input (common with Chinese IMEs: `２ｘ＋３ｙ`) into ASCII.
    text = unicodedata.normalize("NFKC", text)
    for src, dst in (("·", "*"), ("⋅", "*"), ("×", "*"), ("−", "-"), ("–", "-"), ("^", "**")):
        text = text.replace(src, dst)
    return " ".join(text.split())  # newlines would otherwise start new statements


def _check_token(tok: tokenize.TokenInfo, allowed: Sequence[str]) -> None:
    kind, s = tok.type, tok.string
    if kind == tokenize.STRING:
        raise ExpressionError("text in quotes is not allowed in an expression")
    if kind == tokenize.NAME:
        if keyword.iskeyword(s) or keyword.issoftkeyword(s) or s.startswith("__"):
            raise ExpressionError(f"`{s}` is not allowed in an expression")
        if s not in allowed:
            names = ", ".join(allowed)
            split = "*".join(s) if all(c in allowed for c in s) else ""
            tip = f" (for a product write `{split}`)" if split else ""
            raise ExpressionError(f"unknown name `{s}`: use {names}{tip}")
    elif kind == tokenize.NUMBER:
        if not _NUMBER.fullmatch(s):
            raise ExpressionError(f"`{s}` is not a plain number: write numbers like 2, 0.5 or 1e3")
        if abs(Decimal(s).adjusted()) > 100:
            raise ExpressionError(f"the number `{s}` is too large or too small")
    elif kind == tokenize.OP and s not in _OPERATORS:
        if s == "=":
            raise ExpressionError("write only the expression, without `=`")
        raise ExpressionError(f"`{s}` is not allowed in an expression")
    elif kind not in (tokenize.OP, tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER) and s.strip():
        raise ExpressionError(f"`{s.strip()}` is not allowed in an expression")


def _tokens(text: str, allowed: Sequence[str]) -> Iterator[str]:
    """Checked tokens, with `*` inserted where the student multiplied implicitly (`2y`, `)(`)."""
    prev, depth = "", 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            _check_token(tok, allowed)
            s = tok.string
            if tok.type not in (tokenize.NAME, tokenize.NUMBER, tokenize.OP):
                continue
            depth += {"(": 1, ")": -1}.get(s, 0)
            if depth < 0:
                raise ExpressionError("unbalanced parentheses: a `)` has no matching `(`")
            if depth > MAX_NESTING:
                raise ExpressionError(f"parentheses nested deeper than {MAX_NESTING} levels")
            ends_operand = prev == ")" or prev[:1].isalnum() or prev[:1] == "."
            starts_operand = s == "(" or tok.type == tokenize.NAME
            # Two bare numbers (`2 3`) stay a syntax error: probably a typo, not a product.
            if ends_operand and (starts_operand or (tok.type == tokenize.NUMBER and
                                                    not _NUMBER.fullmatch(prev))):
                yield "*"
            yield s
            prev = s
    except (tokenize.TokenError, IndentationError) as exc:
        raise ExpressionError("unbalanced parentheses: a `(` is never closed") from exc


def checked_tree(text: str, allowed_names: Sequence[str]) -> ast.Expression:
    """The syntax tree of untrusted `text`, after the token allowlist (no sympy needed)."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is too long (over {MAX_LENGTH} characters)")
    text = _normalise(text)
    if "=" in text:  # `dz/db = ...`: say so before `dz` is reported as an unknown name
        raise ExpressionError("write only the expression, without `=`")
    source = " ".join(_tokens(text, allowed_names))
    if not source:
        raise ExpressionError("no answer given")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"could not read `{text}`: check operators and "
                              "parentheses") from exc
    return tree
