"""Specs validated before, read back without pydantic or YAML (grader.spec.snapshot): the
fast path of `grader check` grades exactly as the validated models do, and any edit to a
spec is validated again, never served stale."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import ROOT, SUBMISSIONS

from grader import cache, checks, submission
from grader.commands.check import collect_answers, resolve_assignment
from grader.spec import snapshot
from grader.spec.loader import load_assignment

SHIPPED = ROOT / "exercises" / "linear-backprop"
NONLINEAR = ROOT / "tests" / "fixtures" / "nonlinear-course"
FILES = sorted([*SUBMISSIONS.glob("*.py"), *(ROOT / "tests" / "real").glob("*.py")])


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_SWITCH, str(folder))
    return folder


@pytest.fixture
def course(tmp_path: Path) -> Path:
    shutil.copytree(SHIPPED, tmp_path / "course" / "exercises" / "linear-backprop")
    shutil.copytree(ROOT / "solutions", tmp_path / "course" / "solutions")
    return tmp_path / "course"


def check(course: Path, cache_folder: Path, path: Path, *extra: str, named: str = ""
          ) -> subprocess.CompletedProcess:
    env = {**os.environ, cache.CACHE_SWITCH: str(cache_folder)}
    which = ["--assignment", named] if named else []
    return subprocess.run([sys.executable, *extra, "-m", "grader", "--course", str(course),
                           "check", "--json", str(path), *which],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def imported(proc: subprocess.CompletedProcess) -> set[str]:
    return {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
            if line.startswith("import time:")}


def test_a_later_check_imports_neither_pydantic_nor_yaml(course: Path, own_cache: Path):
    first = check(course, own_cache, SUBMISSIONS / "wrong_sign.py", "-X", "importtime")
    assert first.returncode == 1, first.stderr[-2000:]
    assert {"pydantic", "yaml"} <= imported(first)  # nothing kept yet: validated
    later = check(course, own_cache, SUBMISSIONS / "wrong_sign.py", "-X", "importtime")
    assert later.returncode == 1, later.stderr[-2000:]
    assert "grader.checks" in imported(later)  # the listing is the real one
    assert not {"pydantic", "pydantic_core", "yaml"} & imported(later)
    shown = [json.loads(proc.stdout) for proc in (first, later)]
    for report in shown:
        report.pop("execution_time")
    assert shown[0] == shown[1]


def test_an_edited_spec_is_validated_again(course: Path, own_cache: Path):
    path = SUBMISSIONS / "correct_fstrings.py"
    assert check(course, own_cache, path).returncode == 0
    spec = course / "exercises" / "linear-backprop" / "derive-dz-db.yaml"
    spec.write_text(spec.read_text().replace("points: 2", "points: 5", 1))
    report = json.loads(check(course, own_cache, path).stdout)
    assert report["max_score"] == 13  # the edit counts at once
    spec.write_text(spec.read_text().replace("points: 5", "points: -5", 1))
    broken = check(course, own_cache, path)
    assert broken.returncode == 2  # and a broken edit is an error, at its line
    assert "derive-dz-db.yaml:4: points:" in broken.stderr


def test_kept_records_grade_as_the_models_do(own_cache: Path):
    models = load_assignment(SHIPPED)
    snapshot.keep(models, snapshot.digest(SHIPPED))
    records = snapshot.load(SHIPPED)
    assert records is not None and isinstance(records.exercises[0], snapshot.Record)
    for path in FILES:
        outcomes = collect_answers(models, submission.read(path)).outcomes
        assert ([r.to_dict() for r in checks.grade_all(records, outcomes)]
                == [r.to_dict() for r in checks.grade_all(models, outcomes)]), path.name
        assert checks.probes(records) == checks.probes(models)


def test_a_record_holds_what_the_model_holds(course: Path, own_cache: Path):
    folder = course / "exercises" / "linear-backprop"
    spec = folder / "assignment.yaml"
    spec.write_text(spec.read_text() + "due: 2026-12-24T18:00:00+01:00\npolicy:\n"
                    "  due: 2026-12-24T18:00:00+01:00\n"
                    "  rate_limit: {submissions: 3, minutes: 5}\n")
    models = load_assignment(folder)
    snapshot.keep(models, snapshot.digest(folder))
    records = snapshot.load(folder)
    assert records is not None
    assert snapshot.fields(records.spec) == snapshot.fields(models.spec)
    for kept, model in zip(records.exercises, models.exercises, strict=True):
        assert snapshot.fields(kept) == model.model_dump()
    assert records.spec.due == datetime(2026, 12, 24, 17, tzinfo=UTC)
    assert records.spec.policy.rate_limit.submissions == 3
    with pytest.raises(AttributeError):
        records.spec.title = "changed"


def test_an_edit_made_while_loading_is_never_kept_as_validated(course: Path, own_cache: Path):
    """The key is taken before the loader reads the files: a spec saved between the loader's
    reading and the keeping (an editor, a git pull) must not have the old models kept under
    its key, or the broken edit would be served as validated ever after."""
    folder = course / "exercises" / "linear-backprop"
    before = snapshot.digest(folder)
    models = load_assignment(folder)
    spec = folder / "derive-dz-db.yaml"
    spec.write_text(spec.read_text().replace("points: 2", "points: -5", 1))
    snapshot.keep(models, before)
    assert snapshot.load(folder) is None
    broken = check(course, own_cache, SUBMISSIONS / "correct_fstrings.py")
    assert broken.returncode == 2
    assert "derive-dz-db.yaml:4: points:" in broken.stderr


def test_a_changed_validator_is_a_miss(course: Path, own_cache: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch):
    """The key covers the grader's code that validates (loader, kinds), not only models."""
    folder = course / "exercises" / "linear-backprop"
    snapshot.keep(load_assignment(folder), snapshot.digest(folder))
    assert snapshot.load(folder) is not None
    package = tmp_path / "package"
    shutil.copytree(snapshot.PACKAGE, package)
    (package / "spec" / "loader.py").write_text(
        (package / "spec" / "loader.py").read_text() + "\n# a stricter check\n")
    monkeypatch.setattr(snapshot, "PACKAGE", package)
    assert snapshot.load(folder) is None


def test_a_damaged_snapshot_is_validated_again(course: Path, own_cache: Path):
    folder = course / "exercises" / "linear-backprop"
    snapshot.keep(load_assignment(folder), snapshot.digest(folder))
    (entry,) = own_cache.glob("spec-*")
    entry.write_bytes(entry.read_bytes().replace(b"derive-dz-db", b"derive-dz-dc"))
    assert snapshot.load(folder) is None
    assert check(course, own_cache, SUBMISSIONS / "correct_fstrings.py").returncode == 0


def test_every_assignment_of_a_course_is_kept(tmp_path: Path, own_cache: Path):
    """A check naming one assignment keeps the others too, so the next check, of any of
    them, finds all of the course's assignments kept."""
    shutil.copytree(ROOT / "exercises", tmp_path / "exercises")
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    shutil.copytree(NONLINEAR, tmp_path, dirs_exist_ok=True)
    handed_in = tmp_path / "alice" / "linear_backprop.py"
    handed_in.parent.mkdir()
    shutil.copy(SUBMISSIONS / "correct_fstrings.py", handed_in)
    proc = check(tmp_path, own_cache, handed_in, named="linear-backprop")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(list(own_cache.glob("spec-*"))) == 2
    again = check(tmp_path, own_cache, handed_in, "-X", "importtime")  # found by its name
    assert again.returncode == 0, again.stderr[-2000:]
    assert "pydantic" not in imported(again) and "grader.checks" in imported(again)
    assert resolve_assignment(tmp_path, "nonlinear-backprop", handed_in,
                              snapshots=True).spec.id == "nonlinear-backprop"


def test_a_kept_assignment_whose_solution_is_gone_is_loaded_again(course: Path,
                                                                   own_cache: Path):
    assert check(course, own_cache, SUBMISSIONS / "correct_fstrings.py").returncode == 0
    (course / "solutions" / "linear_backprop.py").unlink()
    gone = check(course, own_cache, SUBMISSIONS / "correct_fstrings.py")
    assert gone.returncode == 2 and "solution: no file" in gone.stderr


def grade(course: Path, cache_folder: Path, classroom: Path, db: Path, *extra: str
          ) -> subprocess.CompletedProcess:
    env = {**os.environ, cache.CACHE_SWITCH: str(cache_folder)}
    return subprocess.run([sys.executable, *extra, "-m", "grader", "--course", str(course),
                           "grade", str(classroom), "--db", str(db)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)


def test_grade_uses_the_snapshot_and_validates_an_edit(course: Path, own_cache: Path,
                                                       tmp_path: Path):
    """`grader grade` reads unchanged specs from their snapshot too (no pydantic, YAML or
    nbformat before the sandboxes start), grades the same, and an edit is validated again."""
    classroom = tmp_path / "class"
    for name in ("correct_fstrings.py", "wrong_sign.py", "hand_row_slip.py"):
        (classroom / Path(name).stem).mkdir(parents=True)
        shutil.copy(SUBMISSIONS / name, classroom / Path(name).stem / "linear_backprop.py")
    first = grade(course, own_cache, classroom, tmp_path / "first.sqlite", "-X", "importtime")
    assert first.returncode == 0, first.stderr[-2000:]
    assert {"pydantic", "yaml"} <= imported(first)  # nothing kept yet: validated
    later = grade(course, own_cache, classroom, tmp_path / "later.sqlite", "-X", "importtime")
    assert later.returncode == 0, later.stderr[-2000:]
    assert "pytest" in imported(later)  # the hidden checks ran, in real pytest
    assert not {"pydantic", "pydantic_core", "yaml", "nbformat"} & imported(later)
    assert later.stdout.splitlines()[1:] == first.stdout.splitlines()[1:]  # past the timing
    spec = course / "exercises" / "linear-backprop" / "derive-dz-db.yaml"
    spec.write_text(spec.read_text().replace("points: 2", "points: -5", 1))
    broken = grade(course, own_cache, classroom, tmp_path / "broken.sqlite")
    assert broken.returncode == 2
    assert "derive-dz-db.yaml:4: points:" in broken.stderr
    assert not (tmp_path / "broken.sqlite").exists()  # nothing written for a broken spec
