"""What a class run says: counts that add up to the class, messages that read well."""

from __future__ import annotations

import json

from conftest import SUBMISSIONS, run_grader


def test_the_summary_counts_add_up_to_the_class(tmp_path):
    folder = tmp_path / "class"
    for student in ("ok1", "ok2"):
        (folder / student).mkdir(parents=True)
        (folder / student / "linear_backprop.py").write_bytes(
            (SUBMISSIONS / "correct_fstrings.py").read_bytes())
    (folder / "nobody").mkdir()
    (folder / "garbled").mkdir()
    (folder / "garbled" / "linear_backprop.ipynb").write_text("not a notebook")
    proc = run_grader("grade", str(folder), "--db", str(tmp_path / "gb.sqlite"))
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    # 4 students: 3 graded (one of them 0, its file cannot be run) + 1 not graded
    assert first.startswith("linear-backprop: graded 3 (1 of them 0: cannot be run), "
                            "not graded 1, unchanged 0 in "), first


def test_a_syntax_error_without_a_line_reads_well(tmp_path):
    path = tmp_path / "linear_backprop.py"
    path.write_bytes(b'DZ_DB = "2*x + 3*y"\x00\n')
    proc = run_grader("check", "--json", str(path))
    assert proc.returncode == 1, proc.stderr
    outputs = " ".join(t["output"] for t in json.loads(proc.stdout)["tests"])
    assert "SyntaxError: source code string cannot contain null bytes" in outputs
    assert "line None" not in outputs
