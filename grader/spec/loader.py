"""Load and validate specs; a broken one is one line `path:line: key: what is wrong`.

When validation fails the YAML is parsed again with `yaml.compose`, which keeps the line of
every node, so a pydantic error location can be turned back into the line an instructor has
to fix. libyaml's C loader is used where present. `grader check` reads an unchanged
assignment from its snapshot instead (grader.spec.snapshot), validated here once.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from grader.errors import GraderError, SpecError
from grader.kinds import NAMES, exercise_model, kind_model
from grader.spec.assignment import Assignment, default_course  # noqa: F401 - re-exported
from grader.spec.models import AssignmentSpec


@cache
def _exercise_adapter() -> TypeAdapter:
    """Reads an exercise file with the model its `kind:` names (built once, from the kinds)."""
    return TypeAdapter(exercise_model())


def _validate_exercise(data: dict[str, Any]) -> Any:
    """With the model of the kind the file names, so that only the kinds in use are imported
    (the union of every kind's model cost each `grader check` ~20 ms); a missing or unknown
    `kind:` goes through the union, for pydantic's message listing the kinds."""
    name = data.get("kind")
    if isinstance(name, str) and name in NAMES:
        return kind_model(name).model_validate(data)
    return _exercise_adapter().validate_python(data)

ASSIGNMENT_FILE = "assignment.yaml"
_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DuplicateKey(yaml.YAMLError):
    """A mapping names a key twice: YAML would keep the last one without a word."""

    def __init__(self, key: object, line: int) -> None:
        super().__init__(f"duplicate key {key!r}")
        self.key, self.line = key, line


class _Loader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """The safe loader, refusing duplicate keys (checked on the nodes, which keep lines)."""


def _mapping(loader: Any, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[object] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (str, int, float, bool)) or key is None:
            if key in seen:
                raise DuplicateKey(key, key_node.start_mark.line + 1)
            seen.add(key)
    return loader.construct_mapping(node, deep=True)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_LOADER = _Loader


def find_assignments(course: Path) -> dict[str, Path]:
    """Assignment id -> its folder, for every `exercises/*/assignment.yaml`."""
    root = course / "exercises"
    if not root.is_dir():
        raise GraderError(f"{root}: no exercises folder here (use --course DIR)")
    found: dict[str, Path] = {}
    for path in sorted(root.glob(f"*/{ASSIGNMENT_FILE}")):
        spec = load_assignment_spec(path)
        if spec.id in found:
            raise SpecError(f"{path}:{spec_line(path, ['id'])}: id: {spec.id!r} is also the id "
                            f"of {found[spec.id] / ASSIGNMENT_FILE}")
        found[spec.id] = path.parent
    if not found:
        raise SpecError(f"{root}: no assignment here: each assignment is a folder holding "
                        f"{ASSIGNMENT_FILE}")
    return found


def load_assignment(folder: Path) -> Assignment:
    spec = load_assignment_spec(folder / ASSIGNMENT_FILE)
    exercises = []
    for exercise_id in spec.exercises:
        path = folder / f"{exercise_id}.yaml"
        if not path.is_file():
            raise SpecError(f"{folder / ASSIGNMENT_FILE}:1: exercises: no file {path.name} "
                            f"for exercise {exercise_id!r}")
        exercise = _validated(path, _validate_exercise)
        if exercise.id != exercise_id:
            raise SpecError(f"{path}:1: id: is {exercise.id!r}, the file name says "
                            f"{exercise_id!r}")
        exercises.append(exercise)
    assignment = Assignment(spec, tuple(exercises), folder.resolve())
    if not assignment.solution_path.is_file():
        raise SpecError(f"{folder / ASSIGNMENT_FILE}:1: solution: no file "
                        f"{assignment.solution_path}")
    return assignment


def load_assignment_spec(path: Path) -> AssignmentSpec:
    return _validated(path, AssignmentSpec.model_validate)


def _validated(path: Path, validate: Any) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"{path}:1: cannot read: {exc.strerror or exc}") from None
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except DuplicateKey as exc:
        raise SpecError(f"{path}:{exc.line}: {exc.key}: given twice (YAML would silently "
                        f"keep the last one)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise SpecError(f"{path}:{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise SpecError(f"{path}:1: the file must hold a mapping of keys")
    try:
        return validate(data)
    except ValidationError as exc:
        root = yaml.compose(text, Loader=_LOADER)
        error = exc.errors()[0]
        loc = [part for part in error["loc"] if isinstance(part, (str, int))]
        message = error["msg"].removeprefix("Value error, ")
        if error["type"].startswith("union_tag"):  # which kind of exercise: point at `kind`
            loc = [*loc, str(error.get("ctx", {}).get("discriminator", "kind")).strip("'")]
        named = re.match(r"^([A-Za-z_][\w.]*): ", message)  # a model-level check's key path
        if named:
            keys = [int(k) if k.isdigit() else k for k in named.group(1).split(".")]
            if _child(_locate_node(root, loc), keys[0]) is not None:
                loc, message = [*loc, *keys], message[named.end():]
        line, keys = _locate(root, loc)
        where = ".".join(str(k) for k in keys) or "(top)"
        raise SpecError(f"{path}:{line}: {where}: {message}") from None


def spec_line(path: Path, keys: list[str | int]) -> int:
    """The line of `keys` (a path of mapping keys and list indexes) in a spec file; for
    messages about a spec that only running instructor code can find (grader validate)."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=_BASE_LOADER)
    except (OSError, yaml.YAMLError):
        return 1
    return _locate(root, keys)[0]


def _locate_node(node: Any, loc: list[str | int]) -> Any:
    for part in loc:
        child = _child(node, part)
        node = child if child is not None else node
    return node


def _locate(node: Any, loc: list[str | int]) -> tuple[int, list[str | int]]:
    """Follow a pydantic error location through the YAML nodes; return (line, real keys)."""
    line = node.start_mark.line + 1 if node is not None else 1
    keys: list[str | int] = []
    for part in loc:
        parent, child = node, _child(node, part)
        if child is None:  # a missing key, or the `kind` tag pydantic puts in the path
            if part != _child_value(node, "kind"):
                keys.append(part)
            continue
        node, keys = child, [*keys, part]
        line = _key_line(parent, part) or node.start_mark.line + 1
    return line, keys


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == part:
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None


def _key_line(node: Any, part: str | int) -> int | None:
    """The line of a mapping's key: where `key:` is written, not where its value starts."""
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            if key.value == part:
                return key.start_mark.line + 1
    return None


def _child_value(node: Any, key: str) -> Any:
    child = _child(node, key)
    return child.value if isinstance(child, yaml.ScalarNode) else None
