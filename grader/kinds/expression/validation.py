"""What `grader validate` asks of an expression exercise: its known mistakes as submissions,
and no fragment of what students receive that evaluates to the answer."""

from __future__ import annotations

import re
from collections.abc import Iterator

from grader.kinds.expression.model import ExpressionExercise
from grader.kinds.expression.quick import quick_equivalent
from grader.validation.leaks import Line
from grader.validation.mistakes import KnownMistake

MAX_REPORTED = 5  # answer-like fragments reported per exercise
MAX_SPAN = 24  # tokens of one fragment tried as an expression: answers are short
SPEC_EXAMPLE = "set `example:` in the spec to an expression that is not the answer"


def known_mistakes(exercise: ExpressionExercise, base: str) -> list[KnownMistake]:
    """The reference module with each known wrong answer in place of the right one."""
    return [KnownMistake(f"{exercise.id}/{n}", exercise.id, m.answer, (m.hint,),
                         base + f"\n{exercise.name} = {m.answer!r}\n", ("answer",))
            for n, m in enumerate(exercise.mistakes)]


def leaks(exercise: ExpressionExercise, lines: list[Line]) -> list[str]:
    names = tuple(exercise.variables)
    token = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    run = re.compile(rf"(?:(?<![A-Za-z_])(?:{token})(?![A-Za-z0-9_])|\d+\.?\d*|[-+*/^()·.\s])+")
    found: dict[str, str] = {}  # each answer-like fragment once, where it first appears
    for line in lines:
        for match in run.finditer(line.text):
            for fragment in map(str.strip, _fragments(match.group(), names)):
                if fragment not in found and len(found) < MAX_REPORTED and quick_equivalent(
                        fragment.replace("·", "*"), exercise.answer, names, exercise.definitions):
                    fix = f" ({SPEC_EXAMPLE})" if fragment == exercise.example else ""
                    found[fragment] = (f"{exercise.id}: {line.where} shows {fragment!r}, which "
                                       f"is the answer{fix}")
    return list(found.values())


def _fragments(text: str, names: tuple[str, ...]) -> Iterator[str]:
    """Every span of whole tokens that names a variable: `= 2*x + 3*y (at` holds `2*x + 3*y`."""
    tokens = list(re.finditer(r"[A-Za-z_]\w*|\d+\.?\d*|\S", text))[:200]
    for start in range(len(tokens)):
        for end in range(start + 1, min(len(tokens), start + MAX_SPAN) + 1):
            if any(t.group() in names for t in tokens[start:end]):
                yield text[tokens[start].start():tokens[end - 1].end()]
