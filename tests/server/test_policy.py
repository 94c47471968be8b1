"""Course policy on a real server: late penalty and extensions, closing, feedback release;
and the rules themselves as pure functions."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from grader.server.policy import WITHHELD, Deadline, for_student, shows_all
from server.conftest import ASSIGNMENT, grader

HOUR = 3600.0


def _iso(hours_from_now: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours_from_now)).isoformat(timespec="seconds")


def test_late_penalty_and_an_extension(live_server):
    live = live_server({"due": _iso(-30), "late": {"until": _iso(24), "penalty": 0.2,
                                                   "per": "day", "floor": 0.5}})
    extend = grader("--course", str(live.course), "roster", "extend", "bob", "--assignment",
                    ASSIGNMENT, "--hours", "36", "--db", str(live.db))
    assert extend.returncode == 0, extend.stderr
    late = live.report("alice", live.submit("alice").json()["id"])
    assert late["report"]["score"] == 10  # the report is what the checks found...
    assert late["multiplier"] == 0.6 and late["late_seconds"] > 29 * HOUR  # ...2 days started
    on_time = live.report("bob", live.submit("bob").json()["id"])
    assert on_time["multiplier"] == 1.0 and on_time["late_seconds"] == 0
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(live.client("prof").get(
        "/api/grades", params={"assignment": ASSIGNMENT}).text))}
    assert rows["alice"]["total"] == "6" and rows["bob"]["total"] == "10"
    assert rows["alice"]["two-variable-solver"] == "3.6"  # each check scaled: 6 x 0.6


def test_closed_after_the_late_period_unless_extended(live_server):
    live = live_server({"due": _iso(-5), "late": {"until": _iso(-1), "penalty": 0.1,
                                                  "per": "hour"}})
    refused = live.submit("alice")
    assert refused.status_code == 403 and "closed" in refused.json()["error"]
    assert grader("--course", str(live.course), "roster", "extend", "alice", "--assignment",
                  ASSIGNMENT, "--hours", "2.5", "--db", str(live.db)).returncode == 0
    doc = live.report("alice", live.submit("alice").json()["id"])
    assert abs(doc["multiplier"] - 0.7) < 1e-9  # due now 2.5 h ago: 3 started hours late


def test_after_due_date_details_only_after_the_due_date(live_server):
    live = live_server({"due": _iso(48)})
    submission_id = live.submit("alice").json()["id"]
    student = live.report("alice", submission_id)["report"]["tests"]
    later = [t for t in student if t["visibility"] == "after_due_date"]
    assert later and all(t["output"] == WITHHELD and t["detail"] == {} for t in later)
    assert all(t["status"] == "passed" for t in later)  # the score stays, the details wait
    shown = [t for t in student if t["visibility"] == "visible"]
    assert shown and all(t["output"] != WITHHELD for t in shown)
    instructor = live.report("prof", submission_id)["report"]["tests"]
    assert all(t["output"] != WITHHELD for t in instructor)


def test_best_before_due_counts_the_best_on_time_submission(live_server):
    live = live_server({"due": _iso(1), "counts": "best_before_due"})
    from server.conftest import SUBMISSIONS

    live.report("alice", live.submit("alice").json()["id"])
    live.report("alice", live.submit("alice", SUBMISSIONS / "missing_name.py").json()["id"])
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(live.client("prof").get(
        "/api/grades", params={"assignment": ASSIGNMENT}).text))}
    assert rows["alice"]["total"] == "10"


def test_penalty_rules():
    line = Deadline(due=1000.0, late_until=1000.0 + 10 * 86400, penalty=0.3, floor=0.25)
    assert line.multiplier(999) == 1.0 and not line.closed(999)
    assert line.multiplier(1001) == 0.7  # one started day
    assert abs(line.multiplier(1000 + 86400 + 1) - 0.4) < 1e-9
    assert line.multiplier(1000 + 5 * 86400) == 0.25  # the floor
    assert line.closed(1000 + 10 * 86400 + 1)
    assert Deadline(due=1000.0).closed(1001) and not Deadline().closed(1e12)


def test_release_rules():
    report = {"tests": [{"visibility": v, "output": "why", "diagnosis": "d", "detail": {"x": 1}}
                        for v in ("visible", "after_due_date", "hidden")]}
    before = for_student(report, Deadline(due=100.0), now=50.0)["tests"]
    assert [t["output"] == "why" for t in before] == [True, False, False]
    after = for_student(report, Deadline(due=100.0), now=150.0)["tests"]
    assert [t["output"] == "why" for t in after] == [True, True, False]


def test_a_report_goes_out_as_stored_only_when_nothing_of_it_is_withheld():
    # the API sends the stored text unchanged exactly when for_student would change nothing
    kinds = ("visible", "after_due_date", "hidden", "after_published")
    for mask in range(1, 1 << len(kinds)):
        chosen = [v for n, v in enumerate(kinds) if mask >> n & 1]
        report = {"tests": [{"visibility": v, "output": "why", "diagnosis": "d",
                             "detail": {"x": 1}} for v in chosen]}
        for line, now in ((Deadline(due=100.0), 50.0), (Deadline(due=100.0), 150.0),
                          (Deadline(), 50.0)):
            unchanged = for_student(report, line, now) == report
            assert shows_all(",".join(sorted(set(chosen))), line, now) == unchanged, chosen
            assert not shows_all(None, line, now)  # not known: decoded and checked


def test_a_bad_policy_is_one_line_naming_the_key(tmp_path):
    from server.conftest import make_course

    course = make_course(tmp_path, {"late": {"until": "2026-01-01T00:00:00Z", "penalty": 2}})
    proc = grader("--course", str(course), "validate")
    assert proc.returncode == 2
    assert "assignment.yaml" in proc.stderr and "policy" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
