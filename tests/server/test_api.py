"""The contract's API on a real server: accept, grade, report, list, grades, and every error."""

from __future__ import annotations

import csv
import io
import sqlite3

from server.conftest import ASSIGNMENT, CORRECT, SUBMISSIONS, grader


def test_a_submission_is_accepted_graded_and_reported(live_server):
    live = live_server()
    answer = live.submit("alice")
    assert answer.status_code == 202
    assert answer.json()["status"] == "queued" and set(answer.json()) == {"id", "status"}
    doc = live.report("alice", answer.json()["id"])
    assert doc["status"] == "graded" and doc["student"] == "alice"
    assert doc["assignment"] == ASSIGNMENT and doc["submitted_at"].endswith("+00:00")
    report = doc["report"]
    assert report["score"] == report["max_score"] == 10.0
    assert abs(sum(t["score"] for t in report["tests"]) - report["score"]) < 1e-9
    wrong = live.submit("alice", SUBMISSIONS / "hand_row_slip.py").json()["id"]
    assert live.report("alice", wrong)["report"]["score"] < 10
    listed = live.client("alice").get("/api/submissions",
                                      params={"assignment": ASSIGNMENT}).json()
    assert [d["id"] for d in listed] == [wrong, answer.json()["id"]]  # newest first
    assert live.client("bob").get("/api/submissions").json() == []


def test_the_gradebook_is_the_one_export_csv_reads(live_server):
    live = live_server()
    live.report("alice", live.submit("alice").json()["id"])
    live.report("bob", live.submit("bob", SUBMISSIONS / "missing_name.py").json()["id"])
    exported = grader("--course", str(live.course), "export", "csv", "--db", str(live.db))
    assert exported.returncode == 0, exported.stderr
    served = live.client("prof").get("/api/grades", params={"assignment": ASSIGNMENT})
    assert served.status_code == 200 and served.headers["content-type"].startswith("text/csv")
    assert served.text == exported.stdout
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(served.text))}
    assert rows["alice"]["total"] == "10" and float(rows["bob"]["total"]) < 10


def test_errors_are_json_with_the_contract_status(live_server):
    live = live_server(None, "--max-upload-kib", "64")
    anonymous = live.client(None)
    assert anonymous.post("/api/submissions").status_code == 401
    forged = anonymous.get("/api/submissions", headers={"Authorization": "Bearer nope"})
    assert forged.status_code == 401 and "error" in forged.json()
    assert live.submit("alice", assignment="no-such").status_code == 404
    assert live.submit("alice", assignment="no-such").json()["error"].startswith("unknown")
    wrong_type = live.submit("alice", name="linear_backprop.txt")
    assert wrong_type.status_code == 422 and "error" in wrong_type.json()
    big = live.client("alice").post("/api/submissions", data={"assignment": ASSIGNMENT},
                                    files={"file": ("big.py", b"#" * (65 * 1024))})
    assert big.status_code == 413 and "error" in big.json()
    alices = live.submit("alice").json()["id"]
    assert live.client("bob").get(f"/api/submissions/{alices}").status_code == 404
    assert live.client("bob").get("/api/submissions/nonexistent").status_code == 404
    assert live.client("prof").get(f"/api/submissions/{alices}").status_code == 200
    student_grades = live.client("alice").get("/api/grades", params={"assignment": ASSIGNMENT})
    assert student_grades.status_code == 403 and "error" in student_grades.json()
    with sqlite3.connect(live.db) as db:  # refused uploads left nothing queued or stored
        assert db.execute("SELECT COUNT(*) FROM server_submissions").fetchone()[0] == 1
    uploads = live.db.parent / "gradebook-uploads"
    assert len([p for p in uploads.rglob("*.py")]) == 1
    assert not list((uploads / "tmp").iterdir())


def test_a_file_name_never_becomes_a_path(live_server):
    live = live_server()
    answer = live.submit("alice", name="../../../../tmp/evil.py")
    assert answer.status_code == 202
    assert live.report("alice", answer.json()["id"])["report"]["score"] == 10
    stored = list((live.db.parent / "gradebook-uploads").rglob("*.py"))
    assert len(stored) == 1 and stored[0].stem == _sha256(CORRECT)
    assert "evil" not in str(stored[0])


def test_over_the_rate_limit_is_429_with_retry_after(live_server):
    live = live_server({"rate_limit": {"submissions": 2, "minutes": 10}})
    assert [live.submit("alice").status_code for _ in range(2)] == [202, 202]
    over = live.submit("alice")
    assert over.status_code == 429 and "error" in over.json()
    assert 0 < int(over.headers["retry-after"]) <= 600
    assert live.submit("bob").status_code == 202  # per student
    assert live.submit("prof").status_code == 202 and live.submit("prof").status_code == 202
    assert live.submit("prof").status_code == 202  # instructors are not limited


def _sha256(path):
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()
