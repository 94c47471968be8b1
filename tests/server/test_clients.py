"""The terminal side: `grader roster import` / `extend` and `grader submit`, for real."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

from server.conftest import ASSIGNMENT, CORRECT, SUBMISSIONS, grader


def test_roster_import_prints_tokens_once_and_stores_only_their_hash(tmp_path):
    roster, db = tmp_path / "class.csv", tmp_path / "book.sqlite"
    roster.write_text("student,name,email,role\nann,Ann,a@x.org,\ntim,Tim,,instructor\n")
    first = grader("roster", "import", str(roster), "--db", str(db))
    assert first.returncode == 0, first.stderr
    rows = list(csv.DictReader(io.StringIO(first.stdout)))
    assert [r["student"] for r in rows] == ["ann", "tim"] and all(len(r["token"]) > 40
                                                                  for r in rows)
    roster.write_text("student\nann\nzoe\n")
    again = grader("roster", "import", str(roster), "--db", str(db))
    assert [r["student"] for r in csv.DictReader(io.StringIO(again.stdout))] == ["zoe"]
    stored = db.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("book.sqlite-*"))
    assert not any(r["token"].encode() in stored for r in rows)
    with sqlite3.connect(db) as conn:
        roles = dict(conn.execute("SELECT student, role FROM server_people"))
    assert roles == {"ann": "student", "tim": "instructor", "zoe": "student"}


def test_a_bad_roster_is_one_line_and_exit_2(tmp_path):
    roster = tmp_path / "class.csv"
    for text, says in (("name\nann\n", "student"), ("student,role\nann,admin\n", ":2: role"),
                       ("student\n../x\n", ":2: student"), ("student\nann\nann\n", "twice")):
        roster.write_text(text)
        proc = grader("roster", "import", str(roster), "--db", str(tmp_path / "b.sqlite"))
        assert proc.returncode == 2 and says in proc.stderr, (text, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1 and not proc.stdout
    proc = grader("roster", "extend", "nobody", "--assignment", ASSIGNMENT, "--hours", "1",
                  "--db", str(tmp_path / "b.sqlite"))
    assert proc.returncode == 2 and "nobody" in proc.stderr


def test_grader_submit_prints_and_exits_like_check(live_server):
    live = live_server()
    base = ["submit", "--server", live.url, "--token", live.tokens["alice"]]
    ok = grader(*base, str(CORRECT), "--assignment", ASSIGNMENT, "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["score"] == 10
    checked = grader("check", "--json", str(SUBMISSIONS / "hand_row_slip.py"))
    short = grader(*base, str(SUBMISSIONS / "hand_row_slip.py"), "--json")  # id inferred
    assert short.returncode == checked.returncode == 1
    assert json.loads(short.stdout)["score"] == json.loads(checked.stdout)["score"]
    text = grader(*base, str(SUBMISSIONS / "hand_row_slip.py"))
    assert text.returncode == 1 and "points" in text.stdout
    bad = grader("submit", "--server", live.url, "--token", "wrong", str(CORRECT))
    assert bad.returncode == 2 and "401" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    nowhere = grader("submit", "--server", "http://127.0.0.1:9", "--token", "x", str(CORRECT))
    assert nowhere.returncode == 2 and "cannot reach" in nowhere.stderr


def test_serve_with_a_broken_policy_is_one_line_and_exit_2(tmp_path):
    from server.conftest import make_course

    course = make_course(tmp_path, {"rate_limit": {"submissions": 0, "minutes": 5}})
    proc = grader("--course", str(course), "serve", "--db", str(tmp_path / "b.sqlite"),
                  "--port", "0")
    assert proc.returncode == 2 and "policy.rate_limit.submissions" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
