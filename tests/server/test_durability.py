"""An accepted submission is never lost: SIGKILL with work queued, restart, each graded once.
And 20 concurrent clients sending 200 submissions all get their right report."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor

from server.conftest import ASSIGNMENT, CORRECT, CROWD, SUBMISSIONS, grader

MIX = [CORRECT, SUBMISSIONS / "hand_row_slip.py", CORRECT, SUBMISSIONS / "missing_name.py",
       SUBMISSIONS / "syntax_error.py", CORRECT, SUBMISSIONS / "value_instead_of_expression.py",
       SUBMISSIONS / "solver_crashes.py", CORRECT, SUBMISSIONS / "correct_fstrings.py"]


SILENT_LOOP = SUBMISSIONS.parent / "attacks" / "infinite_loop.py"  # `while True: pass`


def _rows(db) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT s.id, s.status, s.graded_runs, "
                            "(SELECT COUNT(*) FROM server_jobs j WHERE j.submission=s.id), "
                            "(SELECT COUNT(*) FROM server_jobs j WHERE j.submission=s.id "
                            " AND j.state='done') FROM server_submissions s").fetchall()


def test_sigkill_with_work_queued_then_restart_grades_each_exactly_once(live_server):
    live = live_server(None, "--jobs", "1")
    # The one sandbox slot first takes submissions that run into their time limits (seconds
    # each), so quick ones behind them are still queued when the server is killed. A loop
    # that prints is stopped by its budget in a fraction of a second; only a silent one that
    # never returns still meets the limit of each call.
    slow = [live.submit("carol", SILENT_LOOP).json()["id"] for _ in range(3)]
    accepted: list[str] = []

    def send_quick_ones(count: int) -> None:
        for _ in range(count):
            n = len(accepted)
            answer = live.submit(CROWD[n % 4], MIX[n % len(MIX)])
            assert answer.status_code == 202
            accepted.append(answer.json()["id"])

    send_quick_ones(20)
    # On a loaded machine the uploads can take longer than the slow work: then queue more
    # of it, and more quick ones behind it, until some are still waiting at the kill.
    while "queued" not in {row[1] for row in _rows(live.db)} and len(slow) < 9:
        slow.append(live.submit("carol", SILENT_LOOP).json()["id"])
        send_quick_ones(5)
    before = {row[0]: row[1] for row in _rows(live.db)}
    assert "queued" in before.values(), before
    live.kill()
    live.start()
    assert all(live.report("carol", i)["report"]["score"] < 10 for i in slow)
    docs = {i: live.report(CROWD[n % 4], i) for n, i in enumerate(accepted)}
    assert all(doc["status"] == "graded" for doc in docs.values())
    rows = _rows(live.db)
    assert sorted(row[0] for row in rows) == sorted([*slow, *accepted])
    assert all(row[1:] == ("graded", 1, 1, 1) for row in rows), rows  # one result per upload
    for n, submission_id in enumerate(accepted):
        expected_full = MIX[n % len(MIX)].name.startswith("correct")
        assert (docs[submission_id]["report"]["score"] == 10) == expected_full


def test_twenty_clients_send_two_hundred_submissions(live_server):
    live = live_server()
    expected = {}
    for path in set(MIX):
        proc = grader("check", "--json", str(path), "--assignment", ASSIGNMENT)
        expected[path] = json.loads(proc.stdout)["score"]

    def student(n: int) -> list[tuple[str, float]]:
        who, sent = CROWD[n], []
        for k in range(10):
            path = MIX[(n + k) % len(MIX)]
            answer = live.submit(who, path)
            assert answer.status_code == 202, answer.text
            sent.append((answer.json()["id"], expected[path]))
        return [(i, score, live.report(who, i)["report"]["score"]) for i, score in sent]

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = [r for batch in pool.map(student, range(20)) for r in batch]
    assert len(results) == 200 and len({r[0] for r in results}) == 200
    assert all(want == got for _, want, got in results), results
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(live.client("prof").get(
        "/api/grades", params={"assignment": ASSIGNMENT}).text))}
    for n, who in enumerate(CROWD):  # counts: latest
        assert float(rows[who]["total"]) == expected[MIX[(n + 9) % len(MIX)]]
    assert all(row[1:] == ("graded", 1, 1, 1) for row in _rows(live.db))
