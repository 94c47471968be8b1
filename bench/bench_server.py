"""Benchmark `grader serve`: submissions/s sustained, and upload -> report latency.

    python bench/bench_server.py [--submissions 300] [--clients 20] [--latency 40] [--jobs N]

Starts a real server (a subprocess on a free loopback port) on this checkout's course and a
fresh gradebook, imports a roster, warms it up, then:
- latency: one client, idle server, the correct example submitted `--latency` times in turn,
  each timed from the start of its upload to its report (long-polled with ?wait=);
- throughput: `--clients` clients sending `--submissions` submissions of bench_grade's
  realistic class (bench/class_mix.py: every typical mistake at its stated share, the
  diverging and endless ones included) as fast as they are answered; the rate is accepted
  submissions / time until the last report.
Also the server's CPU seconds per submission, its peak memory and the disk per submission,
for sizing. Figures go to stdout; nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import class_mix  # noqa: E402 - the benchmark's classes, beside this script

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = ROOT / "tests" / "submissions"
CORRECT = SUBMISSIONS / "correct_chapter_style.py"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--latency", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    bytecode = "set" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "unset"
    print(f"PYTHONDONTWRITEBYTECODE {bytecode}; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.1f}")
    folder = Path(tempfile.mkdtemp(prefix="bench-server-"))
    try:
        run(folder, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(folder: Path, args: argparse.Namespace) -> None:
    db = folder / "course.sqlite"
    students = [f"s{n:03d}" for n in range(args.clients)]
    (folder / "roster.csv").write_text("student\n" + "".join(f"{s}\n" for s in students))
    out = subprocess.run([sys.executable, "-m", "grader", "roster", "import",
                          str(folder / "roster.csv"), "--db", str(db)], capture_output=True,
                         text=True, check=True, cwd=ROOT).stdout
    tokens = {r["student"]: r["token"] for r in csv.DictReader(io.StringIO(out))}
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    started = time.monotonic()
    server = subprocess.Popen([sys.executable, "-m", "grader", "serve", "--db", str(db),
                               "--port", str(port), *jobs], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_up(url, server)
        print(f"start-up (load, self-test, warm-up): {time.monotonic() - started:.1f} s")
        client = httpx.Client(base_url=url, timeout=120,
                              headers={"Authorization": f"Bearer {tokens[students[0]]}"})
        for _ in range(5):
            submit_and_wait(client, CORRECT)
        cpu0 = cpu_seconds(server.pid)
        timed = [submit_and_wait(client, CORRECT) for _ in range(args.latency)]
        cpu1 = cpu_seconds(server.pid)
        latencies, sandboxed = [t for t, _ in timed], [s for _, s in timed]
        print(f"latency, correct submission, idle warm server, n={args.latency}: "
              f"p50 {quantile(latencies, .5) * 1000:.0f} ms, p95 "
              f"{quantile(latencies, .95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; "
              f"{cpu_per(cpu0, cpu1, args.latency)}; the sandboxed run alone (the report's "
              f"execution_time) p50 {quantile(sandboxed, .5) * 1000:.0f} ms")
        throughput(url, tokens, students, args, server.pid)
        print(f"server peak memory (VmHWM): {peak_rss_mib(server.pid):.0f} MiB")
        uploads = sum(p.stat().st_size for p in (folder / "course-uploads").rglob("*")
                      if p.is_file())
        total = args.latency + args.submissions + 5
        server.terminate()  # a clean stop checkpoints the WAL into the database file
        server.wait(timeout=60)
        base = sum(p.stat().st_size for p in folder.glob("course.sqlite*"))
        with sqlite3.connect(db) as conn:
            report = conn.execute("SELECT AVG(LENGTH(report)) FROM server_submissions")
            report_bytes = report.fetchone()[0] or 0
        print(f"disk: database {base / 1024:.0f} KiB, uploads {uploads / 1024:.0f} KiB "
              f"(content-addressed: {len(list((folder / 'course-uploads').rglob('*.py')))} "
              f"distinct files) for {total} submissions; "
              f"{base / total / 1024:.1f} KiB of database per submission, of which the "
              f"stored report {report_bytes / 1024:.1f} KiB")
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=60)


def throughput(url: str, tokens: dict[str, str], students: list[str],
               args: argparse.Namespace, pid: int) -> None:
    # the realistic class of bench_grade (every typical mistake at its share, the ones that
    # diverge or never end included), dealt round-robin to the clients
    sources = class_mix.Sources()
    kinds = class_mix.order(class_mix.REALISTIC, args.submissions)
    print(f"throughput mix: {class_mix.describe(class_mix.REALISTIC)}")

    def client_run(n: int) -> list[float]:
        with httpx.Client(base_url=url, timeout=300, headers={
                "Authorization": f"Bearer {tokens[students[n]]}"}) as client:
            ids = []
            for kind in kinds[n::args.clients]:
                path = sources.path(kind)
                with path.open("rb") as file:
                    answer = client.post("/api/submissions", data={"assignment": "linear-backprop"},
                                         files={"file": (path.name, file)})
                answer.raise_for_status()
                ids.append(answer.json()["id"])
            return [wait_graded(client, i) for i in ids]

    cpu0, started = cpu_seconds(pid), time.monotonic()
    with ThreadPoolExecutor(max_workers=args.clients) as pool:
        finished = [t for batch in pool.map(client_run, range(args.clients)) for t in batch]
    seconds = max(finished) - started
    cpu1 = cpu_seconds(pid)
    sources.close()
    print(f"throughput: {args.submissions} submissions from {args.clients} clients in "
          f"{seconds:.1f} s = {args.submissions / seconds:.1f} submissions/s sustained; "
          f"{cpu_per(cpu0, cpu1, args.submissions)}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


def submit_and_wait(client: httpx.Client, path: Path) -> tuple[float, float]:
    """Seconds from the upload's start to its report, and the report's sandbox wall time."""
    started = time.perf_counter()
    with path.open("rb") as file:
        answer = client.post("/api/submissions", data={"assignment": "linear-backprop"},
                             files={"file": (path.name, file)})
    answer.raise_for_status()
    wait_graded(client, answer.json()["id"])
    took = time.perf_counter() - started
    doc = client.get(f"/api/submissions/{answer.json()['id']}").json()
    return took, float(doc["report"]["execution_time"])


def wait_graded(client: httpx.Client, submission_id: str) -> float:
    while True:
        doc = client.get(f"/api/submissions/{submission_id}", params={"wait": 30}).json()
        if doc["status"] in ("graded", "error"):
            if doc["status"] == "error":
                raise RuntimeError(f"{submission_id}: {doc.get('error')}")
            return time.monotonic()


def wait_up(url: str, server: subprocess.Popen) -> None:
    while server.poll() is None:
        try:
            httpx.get(f"{url}/api/assignments", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("the server exited during start-up")


def cpu_seconds(pid: int) -> tuple[float, float]:
    """(utime + stime of the server and its reaped children (the sandboxes), of the server
    process alone)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = [int(fields[i]) for i in (11, 12, 13, 14)]
    return sum(ticks) / os.sysconf("SC_CLK_TCK"), sum(ticks[:2]) / os.sysconf("SC_CLK_TCK")


def cpu_per(before: tuple[float, float], after: tuple[float, float], count: int) -> str:
    total, own = ((a - b) / count * 1000 for a, b in zip(after, before, strict=True))
    return (f"server CPU {total:.0f} ms per submission, of which {own:.0f} ms in the server "
            f"process itself, {total - own:.0f} ms in its sandboxes")


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


if __name__ == "__main__":
    main()
