"""The sandbox and the process boundary, tested at the probe level with the real bwrap."""

from __future__ import annotations

import json
import math
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.errors import GraderError
from grader.sandbox.bwrap import Limits, _world_readable, bwrap_path, run_sandboxed, runtime_python
from grader.sandbox.probing import FALLBACK_NOTICE, _read_channel, probe_submission
from grader.sandbox.protocol import HarnessRequest, Probe, ProbeOutcome, sanitise

needs_bwrap = pytest.mark.skipif(bwrap_path() is None, reason="bubblewrap is not installed")
SPY = '''
import json, os, resource, socket
def report(port):
    facts = {"uid": os.getuid(), "root": sorted(os.listdir("/")), "env": dict(os.environ),
             "pids": sorted(p for p in os.listdir("/proc") if p.isdigit()),
             "nproc": resource.getrlimit(resource.RLIMIT_NPROC)[0],
             "memory": resource.getrlimit(resource.RLIMIT_AS)[0]}
    status = open("/proc/self/status").read()
    facts["caps"] = [l.split()[1] for l in status.splitlines() if l.startswith("CapEff")][0]
    facts["nnp"] = [l.split()[1] for l in status.splitlines() if l.startswith("NoNewPrivs")][0]
    facts["sees_work_main"] = os.path.exists(%r)
    facts["site_packages"] = os.listdir(%r) if os.path.isdir(%r) else None
    try:
        socket.create_connection(("127.0.0.1", int(port)), timeout=1).close()
        facts["connected"] = True
    except OSError:
        facts["connected"] = False
    facts["harness_readable"] = readable("/proc/1/environ") or readable("/proc/1/mem")
    for name, path in (("cwd_writable", "x"), ("tmp_writable", "/tmp/x")):
        try:
            open(path, "w").close()
            facts[name] = True
        except OSError:
            facts[name] = False
    print(json.dumps(facts))
def readable(path):
    try:
        with open(path, "rb") as handle:
            return handle.read(1) is not None
    except OSError:
        return False
'''
ROOT = Path(__file__).resolve().parent.parent
SITE = str(Path(json.__file__).parent.parent / "site-packages")


def call(name: str, *args: float, timeout: float = 5.0) -> Probe:
    return Probe(name, "call", name, tuple(args), timeout)


def spy(port: int) -> dict:
    source = SPY % (str(ROOT / "solutions"), SITE, SITE)
    run = probe_submission(source, (call("report", port),), module_file="linear_backprop.py")
    outcome = run.outcomes["report"]
    assert outcome.ok, outcome.error
    return json.loads(outcome.stdout)


@needs_bwrap
def test_the_sandbox_shows_nothing_but_python_and_the_submission():
    with socket.create_server(("127.0.0.1", 0)) as server:
        facts = spy(server.getsockname()[1])
    assert set(facts["root"]) <= {"bin", "dev", "lib", "lib64", "opt", "proc", "root", "tmp",
                                  "usr", "work"}
    assert not facts["sees_work_main"]
    assert facts["site_packages"] in ([], None)  # installed packages (and the grader) hidden
    assert facts["connected"] is False  # the host's 127.0.0.1 is another network
    assert facts["pids"] == ["1", facts["pids"][-1]] and len(facts["pids"]) == 2
    assert set(facts["env"]) <= {"PATH", "LANG", "HOME", "TMPDIR", "PYTHONDONTWRITEBYTECODE",
                                 "PWD"}
    assert facts["caps"] == "0000000000000000" and facts["nnp"] == "1"
    assert facts["cwd_writable"] is False and facts["tmp_writable"] is True
    assert facts["memory"] == 1 << 30
    assert facts["harness_readable"] is False  # not dumpable: its memory and environment


@needs_bwrap
@pytest.mark.skipif(os.geteuid() != 0, reason="the throwaway uid needs a root grader")
def test_as_root_the_student_runs_as_a_throwaway_uid_with_a_process_limit():
    with socket.create_server(("127.0.0.1", 0)) as server:
        facts = spy(server.getsockname()[1])
    assert facts["uid"] >= 1_900_000_000 and facts["nproc"] == Limits().processes


def test_fallback_runs_but_says_files_are_not_isolated(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GRADER_SANDBOX", "none")
    run = probe_submission("A = [1, 2.5, 'x']\n", (Probe("a", "value", "A"),),
                           module_file="linear_backprop.py")
    assert run.isolated is False and run.notice == FALLBACK_NOTICE
    assert "not installed" in run.notice and run.outcomes["a"].value == [1, 2.5, "x"]


def test_require_isolation_refuses_without_bubblewrap(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GRADER_SANDBOX", "none")
    with pytest.raises(GraderError, match="bubblewrap is not installed"):
        probe_submission("A = 1\n", (Probe("a", "value", "A"),),
                         module_file="linear_backprop.py", require_isolation=True)


@needs_bwrap
def test_isolated_runs_say_so():
    run = probe_submission("A = 1\n", (Probe("a", "value", "A"),),
                           module_file="linear_backprop.py", require_isolation=True)
    assert run.isolated is True and run.notice == "" and run.outcomes["a"].value == 1


@pytest.mark.parametrize("mode", ["bwrap", "none"])
def test_a_probe_cannot_see_or_forge_another(mode: str, monkeypatch: pytest.MonkeyPatch):
    if mode == "bwrap" and bwrap_path() is None:
        pytest.skip("bubblewrap is not installed")
    monkeypatch.setenv("GRADER_SANDBOX", "" if mode == "bwrap" else mode)
    source = '''import gc, os
def spy():
    seen = [repr(o)[:300] for o in gc.get_objects() if isinstance(o, (dict, list))]
    print("\\n".join(s for s in seen if "secret-probe" in s or "second" in s))
    for fd in range(3, 256):
        try:
            os.write(fd, b'{"id": "secret-probe", "status": "ok", "value": "FORGED"}\\n')
        except OSError:
            pass
SECRET = "honest"
'''
    probes = (call("spy"), Probe("secret-probe", "value", "SECRET"))
    run = probe_submission(source, probes, module_file="linear_backprop.py")
    assert run.outcomes["spy"].ok and "secret-probe" not in run.outcomes["spy"].stdout
    assert run.outcomes["secret-probe"].value == "honest"


@pytest.mark.parametrize("mode", ["bwrap", "none"])
def test_a_value_that_cannot_be_read_costs_only_its_own_probe(
    mode: str, monkeypatch: pytest.MonkeyPatch
):
    """The name reads share one child: one bad value must not take the others down."""
    if mode == "bwrap" and bwrap_path() is None:
        pytest.skip("bubblewrap is not installed")
    monkeypatch.setenv("GRADER_SANDBOX", "" if mode == "bwrap" else mode)
    source = ("class Evil:\n    def __str__(self):\n        raise RuntimeError('no')\n"
              "A = {Evil(): 1}\nB = [2, 3.5]\nC = 1 if 2 > 1 else Evil\n")
    probes = (Probe("a", "value", "A"), Probe("b", "value", "B"),
              Probe("missing", "value", "NOPE"), Probe("c", "value", "C"))
    run = probe_submission(source, probes, module_file="linear_backprop.py")
    assert run.outcomes["a"].status == "bad_value" and "RuntimeError" in run.outcomes["a"].error
    assert run.outcomes["b"].value == [2, 3.5] and run.outcomes["c"].value == 1
    assert run.outcomes["missing"].status == "missing"


@pytest.mark.parametrize("mode", ["bwrap", "none"])
def test_a_syntax_error_is_every_probes_load_error_with_its_line(
    mode: str, monkeypatch: pytest.MonkeyPatch
):
    if mode == "bwrap" and bwrap_path() is None:
        pytest.skip("bubblewrap is not installed")
    monkeypatch.setenv("GRADER_SANDBOX", "" if mode == "bwrap" else mode)
    run = probe_submission("A = 1\nx = (\n", (Probe("a", "value", "A"),
                           call("f")), module_file="linear_backprop.py")
    for outcome in run.outcomes.values():
        assert outcome.status == "load_error" and "SyntaxError on line 2" in outcome.error


@pytest.mark.parametrize("mode", ["bwrap", "none"])
def test_output_is_capped_and_a_flood_ends_at_the_time_limit(
    mode: str, monkeypatch: pytest.MonkeyPatch
):
    if mode == "bwrap" and bwrap_path() is None:
        pytest.skip("bubblewrap is not installed")
    monkeypatch.setenv("GRADER_SANDBOX", "" if mode == "bwrap" else mode)
    source = "def flood():\n    while True:\n        print('x' * 10000)\n"
    started = time.monotonic()
    run = probe_submission(source, (call("flood", timeout=1.0),),
                           module_file="linear_backprop.py",
                           limits=Limits(wall_seconds=10, output_cap=1 << 16))
    outcome = run.outcomes["flood"]
    assert outcome.status == "timeout" and outcome.truncated
    assert len(outcome.stdout) == 1 << 16
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("mode", ["bwrap", "none"])
def test_the_wall_clock_kills_a_run_that_ignores_sigterm(
    mode: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    if mode == "bwrap" and bwrap_path() is None:
        pytest.skip("bubblewrap is not installed")
    monkeypatch.setenv("GRADER_SANDBOX", "" if mode == "bwrap" else mode)
    code = ("import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            "print('grader-test-stubborn', flush=True)\nwhile True: time.sleep(0.1)\n")
    started = time.monotonic()
    run = run_sandboxed([runtime_python(), "-I", "-c", code], scratch=tmp_path, stdin=b"",
                        limits=Limits(wall_seconds=1.0))
    assert run.timed_out and time.monotonic() - started < 3
    assert "grader-test-stubborn" in run.stdout
    left = subprocess.run(["pgrep", "-f", "grader-test-stubborn"], capture_output=True)
    assert left.stdout == b""


def test_sanitise_keeps_only_exact_plain_data():
    class Sneaky(float):
        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = float.__hash__

    assert sanitise({"a": [1, 2.5, "x", None, True]}) == {"a": [1, 2.5, "x", None, True]}
    assert sanitise([math.nan, math.inf, -math.inf]) == ["nan", "inf", "-inf"]
    for bad in (Sneaky(1.0), type("S", (str,), {})("x"), {1: 2}, (1, 2), 10 ** 30,
                [[[[[[[[1]]]]]]]], list(range(20_000)), "x" * (2 << 20)):
        with pytest.raises(ValueError):
            sanitise(bad)


def test_untrusted_outcomes_become_plain_or_are_refused():
    forged = ProbeOutcome.from_untrusted({"status": "passed", "value": 1}, "p")
    assert forged.status == "crashed"
    odd = ProbeOutcome.from_untrusted({"status": "ok", "value": {"k": [1] * 20_000}}, "p")
    assert odd.status == "bad_value"
    fine = ProbeOutcome.from_untrusted({"status": "ok", "value": math.nan, "stdout": 5}, "p")
    assert fine.value == "nan" and fine.stdout == ""


def test_the_channel_keeps_good_lines_and_drops_garbage():
    channel = b'{"id": "a", "status": "ok"}\nnot json\n[1]\n{"id": 5}\n{"id": "b", "status": "ok"}'
    assert sorted(_read_channel(channel)) == ["a", "b"]
    assert _read_channel(b'{"id": "a", "v": 1}\n{"id": "a", "v": 2}')["a"] == {"id": "a", "v": 1}


AS_USER = '''import json, sys
sys.path.insert(0, %r)
from grader.sandbox.probing import probe_submission
from grader.sandbox.protocol import Probe
source = open(%r).read() + """
import json, os
def facts():
    try:
        open("/proc/1/environ", "rb").read(1)
        harness_readable = True
    except OSError:
        harness_readable = False
    print(json.dumps({"uid": os.getuid(), "pids": [p for p in os.listdir("/proc") if p.isdigit()],
                      "harness_readable": harness_readable}))
"""
probes = (Probe("solve", "call", "double_variable_new", (3.0, 4.0, 150.0)),
          Probe("facts", "call", "facts"))
run = probe_submission(source, probes, module_file="linear_backprop.py")
print(json.dumps({"isolated": run.isolated, "solve": run.outcomes["solve"].stdout,
                  "facts": run.outcomes["facts"].stdout}))
'''
SYSTEM_PYTHON = Path("/usr/bin/python3")


@needs_bwrap
@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("runuser")
                    or not SYSTEM_PYTHON.exists() or not _world_readable(str(ROOT)),
                    reason="needs root to become nobody, and a checkout nobody can read")
def test_as_an_ordinary_user_the_sandbox_is_a_user_namespace():
    """The path a student's laptop takes: no root, bwrap maps the user to 65534."""
    script = AS_USER % (str(ROOT), str(ROOT / "tests/attacks/kill_the_parent.py"))
    proc = subprocess.run(["runuser", "-u", "nobody", "--", str(SYSTEM_PYTHON), "-"],
                          input=script, capture_output=True, text=True, timeout=60, cwd="/")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    facts = json.loads(result["facts"])
    assert result["isolated"] and facts["uid"] == 65534 and len(facts["pids"]) == 2
    assert facts["harness_readable"] is False  # same uid, but the harness is not dumpable
    assert "done!" in result["solve"]  # killing its parent did not stop the harness


@needs_bwrap
def test_a_sandbox_that_cannot_start_is_the_graders_error_not_a_zero(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr("grader.sandbox.bwrap.TMP_BYTES", -1)  # bwrap refuses this --size
    with pytest.raises(GraderError, match="the sandbox could not start: bwrap:"):
        probe_submission("A = 1\n", (Probe("a", "value", "A"),), module_file="linear_backprop.py")


def test_terminal_control_characters_cross_only_as_visible_escapes():
    outcome = ProbeOutcome.from_untrusted(
        {"status": "error", "value": {"k\x1b[2J": "v\x07"}, "stdout": "a\r\nb\x1b[1A\rc\n",
         "error": "\x1b[32mall checks passed\x9b"}, "p")
    assert outcome.value == {"k\\x1b[2J": "v\\x07"}
    assert outcome.stdout == "a\nb\\x1b[1A\\x0dc\n"
    assert outcome.error == "\\x1b[32mall checks passed\\x9b"


TIMED = '''
import time
def waits(seconds):
    time.sleep(seconds)
    print("woke up")
def spins():
    while True:
        pass
'''


@pytest.mark.parametrize("mode", ["bwrap", "none"])
def test_the_time_limit_counts_cpu_so_a_slow_machine_fails_no_correct_answer(
    mode: str, monkeypatch: pytest.MonkeyPatch
):
    """Waiting 1.5 s uses no CPU: within a 1 s limit (a loaded machine looks like this).
    Spinning uses the CPU and is stopped after about 1 s, long before the wall backstop."""
    if mode == "bwrap" and bwrap_path() is None:
        pytest.skip("bubblewrap is not installed")
    monkeypatch.setenv("GRADER_SANDBOX", "" if mode == "bwrap" else mode)
    run = probe_submission(TIMED, (call("waits", 1.5, timeout=1.0), call("spins", timeout=1.0)),
                           module_file="linear_backprop.py")
    waited, spun = run.outcomes["waits"], run.outcomes["spins"]
    assert waited.ok and waited.stdout == "woke up\n" and waited.seconds >= 1.5
    assert spun.status == "timeout" and 0.9 <= spun.seconds < 3.0


def test_code_that_blocks_forever_meets_the_wall_clock_backstop():
    run = probe_submission(TIMED, (call("waits", 60, timeout=0.5),),
                           module_file="linear_backprop.py")
    outcome = run.outcomes["waits"]
    assert outcome.status == "timeout" and 1.5 <= outcome.seconds < 3.0  # 2 x 0.5 s + 0.5 s


@pytest.mark.skipif(os.geteuid() != 0, reason="the refusal is for root only")
def test_as_root_without_bubblewrap_student_code_runs_only_on_request(tmp_path: Path):
    """No bwrap on PATH: refused (exit 2) unless GRADER_SANDBOX=none says the risk is taken."""
    attack = ROOT / "tests" / "submissions" / "correct_chapter_style.py"
    env = {**os.environ, "PATH": str(tmp_path)}  # nothing there: no bwrap
    env.pop("GRADER_SANDBOX", None)
    python = sys.executable
    refused = subprocess.run([python, "-m", "grader", "check", str(attack)], env=env,
                             capture_output=True, text=True, cwd=ROOT)
    assert refused.returncode == 2
    assert "refusing to run student code as root without the sandbox" in refused.stderr
    accepted = subprocess.run([python, "-m", "grader", "check", "--json", str(attack)],
                              env={**env, "GRADER_SANDBOX": "none"}, capture_output=True,
                              text=True, cwd=ROOT)
    assert accepted.returncode == 0, accepted.stderr
    assert json.loads(accepted.stdout)["notices"] == [FALLBACK_NOTICE]


@pytest.mark.parametrize("mode", ["bwrap", "none"])
def test_an_exception_names_the_students_line_never_the_harnesss(
    mode: str, monkeypatch: pytest.MonkeyPatch
):
    if mode == "bwrap" and bwrap_path() is None:
        pytest.skip("bubblewrap is not installed")
    monkeypatch.setenv("GRADER_SANDBOX", "" if mode == "bwrap" else mode)
    source = "A = 1\ndef f():\n    return undefined_name\n"
    run = probe_submission(source, (call("f"), call("A")), module_file="linear_backprop.py")
    assert run.outcomes["f"].error == "NameError: name 'undefined_name' is not defined (line 3)"
    assert run.outcomes["A"].error == "TypeError: 'int' object is not callable"


@pytest.mark.parametrize("mode", ["bwrap", "none"])
def test_a_large_source_compiles_apart_and_a_pathological_one_meets_a_limit(
    mode: str, monkeypatch: pytest.MonkeyPatch
):
    """Past 64 KiB the harness compiles in a child with limits: Python 3.11 needs minutes for
    an f-string of half a million fields, which must cost its own load error, not the run."""
    if mode == "bwrap" and bwrap_path() is None:
        pytest.skip("bubblewrap is not installed")
    monkeypatch.setenv("GRADER_SANDBOX", "" if mode == "bwrap" else mode)
    large = "".join(f"V{i} = {i}\n" for i in range(20_000)) + "A = 'large'\n"
    assert len(large) > 64 << 10
    run = probe_submission(large, (Probe("a", "value", "A"),), module_file="linear_backprop.py")
    assert run.outcomes["a"].value == "large"
    pathological = 'A = f"' + "{1}" * 600_000 + '"\n'
    started = time.monotonic()
    run = probe_submission(pathological, (Probe("a", "value", "A"), call("f")),
                           module_file="linear_backprop.py")
    assert time.monotonic() - started < 20
    for outcome in run.outcomes.values():
        assert outcome.status == "load_error" and "cannot be compiled within" in outcome.error


MEMORY_SPY = '''
import ctypes
def spy():
    """Scan this process's own writable memory for a hidden case's argument, as text: the
    needle is never built in one piece here, so only a leak can hold it whole."""
    head, tail = b"98" + b"76.", b"543" + b"21"
    hits = 0
    with open("/proc/self/maps") as maps:
        regions = [line.split() for line in maps]
    for fields in regions:
        if not fields[1].startswith("rw") or fields[-1] in ("[vvar]", "[vsyscall]"):
            continue
        start, end = (int(x, 16) for x in fields[0].split("-"))
        data = ctypes.string_at(start, end - start)
        at = data.find(head)
        while at != -1:
            hits += data[at + len(head):at + len(head) + len(tail)] == tail
            at = data.find(head, at + 1)
    print("hits", hits)
def hidden(x):
    print("hidden", x)
'''


@pytest.mark.parametrize("mode", ["bwrap", "none"])
def test_a_visible_probe_cannot_find_a_hidden_cases_arguments_in_its_memory(
    mode: str, monkeypatch: pytest.MonkeyPatch
):
    if mode == "bwrap" and bwrap_path() is None:
        pytest.skip("bubblewrap is not installed")
    monkeypatch.setenv("GRADER_SANDBOX", "" if mode == "bwrap" else mode)
    probes = (Probe("secret-case", "call", "hidden", (9876.54321,), 2.0, "hidden"),
              call("spy"), Probe("later-visible", "call", "spy", (), 5.0))
    run = probe_submission(MEMORY_SPY, probes, module_file="linear_backprop.py")
    assert run.outcomes["secret-case"].stdout == "hidden 9876.54321\n"  # it did run
    assert run.outcomes["spy"].stdout == "hits 0\n"  # visible calls run before hidden ones
    assert run.outcomes["later-visible"].stdout == "hits 0\n"


@pytest.mark.parametrize("mode", ["bwrap", "none"])
def test_garbage_on_the_value_pipe_costs_only_the_probe_that_wrote_it(
    mode: str, monkeypatch: pytest.MonkeyPatch
):
    if mode == "bwrap" and bwrap_path() is None:
        pytest.skip("bubblewrap is not installed")
    monkeypatch.setenv("GRADER_SANDBOX", "" if mode == "bwrap" else mode)
    source = '''import os
A = 1.5
def garbage():
    for fd in range(3, 64):
        for line in (b'\\n{"garbage": {"status": "ok", "value": "a\\x01b"}}\\n', b'\\n{"x": "'):
            try:
                os.write(fd, line)
            except OSError:
                pass
    os._exit(0)
def fine():
    print("fine")
'''
    probes = (call("garbage"), Probe("a", "value", "A"), call("fine"))
    run = probe_submission(source, probes, module_file="linear_backprop.py")
    assert run.outcomes["garbage"].status == "crashed"
    assert run.outcomes["a"].value == 1.5 and run.outcomes["fine"].stdout == "fine\n"


@pytest.mark.parametrize("mode", ["bwrap", "none"])
def test_a_value_that_takes_the_shared_child_down_costs_only_its_own_probe(
    mode: str, monkeypatch: pytest.MonkeyPatch
):
    """Name reads share a child; when one of them crashes it, loops, or is too large to
    cross, each runs again alone."""
    if mode == "bwrap" and bwrap_path() is None:
        pytest.skip("bubblewrap is not installed")
    monkeypatch.setenv("GRADER_SANDBOX", "" if mode == "bwrap" else mode)
    source = ("import os\nclass Exits:\n    def __repr__(self):\n        os._exit(3)\n"
              "A = 1.5\nBIG = ['abcdefgh'] * 200000\nGONE = [Exits()]\nC = 'c'\n")
    probes = tuple(Probe(n.lower(), "value", n) for n in ("A", "BIG", "GONE", "C"))
    run = probe_submission(source, probes, module_file="linear_backprop.py")
    assert run.outcomes["a"].value == 1.5 and run.outcomes["c"].value == "c"
    assert run.outcomes["big"].status == "bad_value" and "too large" in run.outcomes["big"].error
    assert run.outcomes["gone"].status == "crashed"


def test_student_code_is_compiled_as_python_compiles_it_without_the_graders_futures():
    source = "def f(x: undefined_name):\n    pass\n"  # evaluated at definition: a NameError
    run = probe_submission(source, (call("f"),), module_file="linear_backprop.py")
    assert run.outcomes["f"].status == "load_error" and "NameError" in run.outcomes["f"].error


def test_the_harness_gets_the_name_reads_then_the_calls_shown_soonest_first():
    """A case's output can only carry what ran before it (memory, /tmp): so what the student
    sees soonest runs first, and the never-shown cases last."""
    probes = (Probe("hidden-1", "call", "f", (1.0,), 2.0, "hidden"), call("f", 2.0),
              Probe("a", "value", "A"), Probe("after-due", "call", "f", (3.0,), 2.0,
                                              "after_due_date"),
              Probe("b", "value", "B"), Probe("hidden-2", "call", "f", (4.0,), 2.0, "hidden"),
              Probe("published", "call", "f", (5.0,), 2.0, "after_published"), call("g"))
    stream = HarnessRequest("linear_backprop.py", probes).to_stream()
    frames = []
    while stream:
        size = int(stream[:10])
        frames.append(json.loads(stream[10:10 + size]))
        stream = stream[10 + size:]
    assert "probes" not in frames[0] and frames[0]["module_file"] == "linear_backprop.py"
    assert [[p["id"] for p in group] for group in frames[1:]] == [
        ["a", "b"], ["f"], ["g"], ["after-due"], ["published"], ["hidden-1"], ["hidden-2"]]


def test_a_prctl_the_sandbox_relies_on_fails_closed():
    """In the sandbox, not being dumpable is what keeps a child out of the harness's memory
    and of the frames still waiting on its stdin: a failed prctl must end the harness."""
    from grader.sandbox.harness import harness_os

    assert harness_os.prctl(9999, 0) is None  # the fallback does without
    with pytest.raises(SystemExit, match=r"^harness: prctl\(9999, 0\) failed: "):
        harness_os.prctl(9999, 0, required=True)


def test_a_harness_that_cannot_harden_is_the_graders_error(monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path):
    if bwrap_path() is None:
        pytest.skip("bubblewrap is not installed")
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))  # not the real cache's
    monkeypatch.setattr("grader.sandbox.probing.HARNESS",
                        ROOT / "tests" / "fixtures" / "failing-harness")
    monkeypatch.setattr("grader.sandbox.probing._compiled", [])
    with pytest.raises(GraderError, match="the sandbox could not start: harness: prctl"):
        probe_submission("A = 1\n", (Probe("a", "value", "A"),), module_file="linear_backprop.py")


@needs_bwrap
def test_the_harness_starts_without_the_costly_standard_modules():
    """Start-up is most of a sandbox's cost: what the harness imports, the child inherits,
    so a module of the list below showing up there is milliseconds of every run."""
    source = "import sys\nMODULES = sorted(sys.modules)\n"
    run = probe_submission(source, (Probe("modules", "value", "MODULES"),),
                           module_file="linear_backprop.py")
    loaded = set(run.outcomes["modules"].value)  # type: ignore[arg-type]
    assert {"harness_child", "_signal"} <= loaded
    assert not loaded & {"signal", "enum", "re", "json", "ctypes", "contextlib", "functools"}


@needs_bwrap
def test_a_folder_bound_from_under_tmp_is_seen_and_read_only(tmp_path):
    """A venv under /tmp (a CI job's, a container's) has its packages there: their binds
    must land on the sandbox's private /tmp, not be hidden beneath it (the chapter's numpy
    program then failed to import numpy, as every numpy submission did)."""
    shared = tmp_path / "venv" / "site-packages"
    shared.mkdir(parents=True)
    (shared / "marker.txt").write_text("bound\n")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    code = ("import sys\nprint(open(sys.argv[1]).read(), end='')\n"
            "try:\n    open(sys.argv[1], 'w')\nexcept OSError:\n    print('read-only')\n"
            "open('/tmp/own.txt', 'w').write('x')\nprint('tmp writable')\n")
    run = run_sandboxed([runtime_python(), "-I", "-c", code, str(shared / "marker.txt")],
                        scratch=scratch, stdin=b"", limits=Limits(wall_seconds=10.0),
                        ro_binds=((str(shared), str(shared)),))
    assert run.stdout == "bound\nread-only\ntmp writable\n", run.stderr
    assert not (tmp_path / "own.txt").exists() and not Path("/tmp/own.txt").exists()
