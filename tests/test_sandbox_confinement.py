"""What bounds and walls off a whole submission, beyond bwrap's namespaces: one cgroup
(memory and processes), a uid no running sandbox shares, a fresh session keyring, the seccomp
filter, and only the declared packages. Real bwrap, real cgroups, real keyrings."""

from __future__ import annotations

import ctypes
import errno
import json
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.errors import GraderError
from grader.sandbox.bwrap import Limits, bwrap_path
from grader.sandbox.cgroup import SubmissionCgroup
from grader.sandbox.probing import ProbeRun, probe_submission
from grader.sandbox.protocol import Probe
from grader.sandbox.seccomp import DENIED
from grader.sandbox.uids import unique_uid

ROOT = Path(__file__).resolve().parent.parent
needs_bwrap = pytest.mark.skipif(bwrap_path() is None, reason="bubblewrap is not installed")
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="uids and cgroups need a root grader")


def _cgroups_work() -> bool:
    made = SubmissionCgroup.create(1 << 30, 8)
    if made is not None:
        made.remove()
    return made is not None


needs_cgroup = pytest.mark.skipif(not _cgroups_work(), reason="no cgroup can be made here")


def run(source: str, *args: float, timeout: float = 10.0,
        **kwargs: object) -> tuple[dict, ProbeRun]:
    """Call `probe(*args)` of `source` in the sandbox; what it printed as JSON, and the run."""
    probed = probe_submission(textwrap.dedent(source), (Probe("probe", "call", "probe", args,
                                                              timeout),),
                              module_file="linear_backprop.py", **kwargs)  # type: ignore[arg-type]
    outcome = probed.outcomes["probe"]
    assert outcome.ok, (outcome.status, outcome.error, outcome.stdout[-2000:])
    return json.loads(outcome.stdout.strip().splitlines()[-1]), probed


MEMORY_SPLIT = '''
import json, os, time
def probe(count, mib):
    """count processes, each holding mib MiB: how many held theirs at once?"""
    read, write = os.pipe()
    children = []
    for _ in range(int(count)):
        pid = os.fork()
        if pid == 0:
            block = b"x" * (int(mib) << 20)  # written, so resident
            os.write(write, b"+")
            time.sleep(3)
            os._exit(0)
        children.append(pid)
    os.close(write)
    held = 0
    while os.read(read, 1):
        held += 1
    killed = sum(os.WIFSIGNALED(os.waitpid(pid, 0)[1]) for pid in children)
    print(json.dumps({"held": held, "killed": killed}))
'''


@needs_bwrap
@needs_cgroup
def test_eight_processes_of_900_mib_share_one_submission_budget():
    limits = Limits(wall_seconds=60)
    facts, probed = run(MEMORY_SPLIT, 8, 900, timeout=20, limits=limits)
    assert probed.budget.startswith("cgroup")
    budget = limits.submission_memory_bytes
    assert facts["held"] * (900 << 20) <= budget and facts["killed"] >= 8 - budget // (900 << 20)
    assert 0 < probed.usage.peak_memory <= budget
    assert probed.usage.memory_events > 0


FORK_BOMB = '''
import json, os, resource, time
def probe(seconds):
    """Fork until refused, each child sleeping; how many were made, and the rlimit."""
    made = 0
    while True:
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(seconds)
            os._exit(0)
        made += 1
    print(json.dumps({"made": made, "nproc": resource.getrlimit(resource.RLIMIT_NPROC)[0]}))
'''


@needs_bwrap
@needs_cgroup
def test_a_fork_bomb_is_capped_by_the_cgroups_pids_limit_not_by_a_uids_nproc():
    facts, probed = run(FORK_BOMB, 3, timeout=10)
    # forks refused by pids.max are counted by the cgroup; RLIMIT_NPROC (the same number,
    # without bwrap) is never reached
    assert probed.usage.pids_refused > 0
    # bwrap, the harness and this probe's child are in the budget too
    assert facts["made"] <= Limits().processes - 3


HONEST_FORKS = '''
import json, os
def probe(count):
    done = 0
    for _ in range(int(count)):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        done += 1
    print(json.dumps({"done": done, "uid": os.getuid()}))
'''
UID_ONLY = '''
import json, os, time
def probe(seconds):
    time.sleep(seconds)
    print(json.dumps({"uid": os.getuid()}))
'''


@needs_bwrap
@needs_root
def test_concurrent_sandboxes_never_share_a_uid_and_a_fork_bomb_costs_no_one_else():
    with ThreadPoolExecutor(max_workers=6) as pool:
        bomb = pool.submit(run, FORK_BOMB, 4, timeout=10)
        sleepers = [pool.submit(run, UID_ONLY, 2, timeout=5) for _ in range(4)]
        honest, _ = pool.submit(run, HONEST_FORKS, 30, timeout=10).result()
        uids = [honest["uid"], *(s.result()[0]["uid"] for s in sleepers)]
        bomb.result()
    assert honest["done"] == 30
    assert len(set(uids)) == len(uids) and min(uids) >= 1_900_000_000


HOLD_UID = '''
import sys, time
from grader.sandbox.uids import unique_uid
with unique_uid((int(sys.argv[1]), int(sys.argv[1]) + 2)) as uid:
    print(uid, flush=True)
    sys.stdin.read()
'''


@needs_root
def test_separate_grader_processes_agree_on_which_uids_are_held():
    start = 1_900_070_000  # a pool of two, apart from the sandboxes' own
    holder = subprocess.Popen([sys.executable, "-c", HOLD_UID, str(start)], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert holder.stdout is not None
        held = int(holder.stdout.readline())
        with unique_uid((start, start + 2)) as mine:
            assert mine != held and {mine, held} == {start, start + 1}
            with pytest.raises(GraderError, match="in use"), unique_uid((start, start + 2)):
                pass
    finally:
        holder.communicate("")
    with unique_uid((start, start + 2)), unique_uid((start, start + 2)):
        pass  # the holder ended: its uid is free again


KEY_SPEC_SESSION_KEYRING = -3
KEYCTL_READ, KEYCTL_REVOKE = 11, 3
KEY_SNOOP = '''
import ctypes, json, os
libc = ctypes.CDLL(None, use_errno=True)
def probe(key):
    buffer = ctypes.create_string_buffer(256)
    read = libc.syscall(%d, %d, int(key), buffer, 256)
    read_errno = ctypes.get_errno()
    stored = libc.syscall(%d, b"user", b"left-by-a-student", b"x", 1, -3)
    keys = open("/proc/keys").read() if os.path.exists("/proc/keys") else ""
    print(json.dumps({"read": read, "errno": read_errno, "stored": stored, "keys": keys,
                      "payload": buffer.value.decode("latin-1")}))
'''


def _syscall_number(name: str) -> int:
    import pyseccomp

    return pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, name)


@needs_bwrap
def test_the_graders_keys_are_out_of_reach_and_nothing_crosses_between_submissions():
    libc = ctypes.CDLL(None, use_errno=True)
    add_key, keyctl = _syscall_number("add_key"), _syscall_number("keyctl")
    key = libc.syscall(add_key, b"user", b"grader-hidden-case", b"SECRET-ARGS", 11,
                       KEY_SPEC_SESSION_KEYRING)
    if key < 0:
        pytest.skip(f"no keyrings here: {os.strerror(ctypes.get_errno())}")
    try:
        snoop = KEY_SNOOP % (keyctl, KEYCTL_READ, add_key)
        first, _ = run(snoop, key)
        second, _ = run(snoop, key)
    finally:
        libc.syscall(keyctl, KEYCTL_REVOKE, key)
    for seen in (first, second):
        assert seen["read"] == -1 and seen["errno"] == errno.EPERM and seen["stored"] == -1
        assert "SECRET" not in seen["payload"]
        # a fresh, empty session keyring: not even the key's description is visible
        assert "grader-hidden-case" not in seen["keys"] and "left-by-a-student" not in seen["keys"]


SYSCALLS = '''
import ctypes, json
libc = ctypes.CDLL(None, use_errno=True)
NUMBERS = %r
def probe():
    failed = {}
    for name, number in NUMBERS.items():
        result = libc.syscall(number, 0, 0, 0, 0, 0)
        failed[name] = ctypes.get_errno() if result == -1 else "succeeded"
    print(json.dumps(failed))
'''


@needs_bwrap
def test_every_denied_system_call_fails_with_eperm_inside():
    numbers = {name: _syscall_number(name) for name in (*DENIED, "clone3")}
    numbers = {name: number for name, number in numbers.items() if number >= 0}
    failed, _ = run(SYSCALLS % numbers)
    assert failed.pop("clone3") == errno.ENOSYS  # so that the C library falls back to clone
    assert failed == {name: errno.EPERM for name in failed}
    assert {"keyctl", "ptrace", "bpf", "unshare", "userfaultfd", "mount"} <= set(failed)


NAMESPACE = '''
import ctypes, json, os
libc = ctypes.CDLL(None, use_errno=True)
def probe():
    refused, code = libc.unshare(0x10000000), ctypes.get_errno()
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    print(json.dumps({"unshare": refused, "errno": code, "fork": os.waitpid(pid, 0)[1]}))
'''


@needs_bwrap
def test_no_new_namespace_for_student_code_and_fork_still_works():
    facts, _ = run(NAMESPACE)
    assert facts["unshare"] == -1 and facts["errno"] == errno.EPERM and facts["fork"] == 0


def test_the_sandbox_fails_closed_without_the_seccomp_filter(tmp_path: Path):
    """libseccomp missing (here: pyseccomp made unimportable) and isolation required: refuse."""
    script = textwrap.dedent('''
        import sys
        sys.modules["pyseccomp"] = None
        from grader.errors import GraderError
        from grader.sandbox.probing import probe_submission
        from grader.sandbox.protocol import Probe
        try:
            probe_submission("A = 1\\n", (Probe("a", "value", "A"),),
                             module_file="linear_backprop.py", require_isolation=True)
        except GraderError as exc:
            print("refused:", exc)
    ''')
    if bwrap_path() is None:
        pytest.skip("bubblewrap is not installed")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert proc.stdout.startswith("refused: refusing to run student code without the seccomp"), \
        proc.stdout + proc.stderr


ESCAPE = '''
import json, os
def probe():
    facts = {"cgroup": open("/proc/self/cgroup").read(), "sys": os.path.exists("/sys")}
    for path in ("/sys/fs/cgroup/memory/cgroup.procs", "/sys/fs/cgroup/cgroup.procs"):
        try:
            with open(path, "w") as procs:
                procs.write(str(os.getpid()))
            facts["moved"] = path
        except OSError:
            pass
    try:
        os.mkdir("/tmp/cg")
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        facts["mount"] = libc.mount(b"cgroup", b"/tmp/cg", b"cgroup", 0, b"memory")
    except OSError:
        pass
    print(json.dumps(facts))
'''


@needs_bwrap
@needs_cgroup
def test_student_code_cannot_see_or_leave_its_cgroup():
    facts, probed = run(ESCAPE)
    assert probed.budget.startswith("cgroup")
    assert "moved" not in facts and facts.get("mount") == -1
    assert all(line.endswith(":/") for line in facts["cgroup"].splitlines())  # its own root


@needs_bwrap
@needs_cgroup
def test_no_cgroup_is_left_behind():
    before = _grader_cgroups()
    run(UID_ONLY, 0)
    assert _grader_cgroups() == before


def _grader_cgroups() -> set[str]:
    found = set()
    for mount in ("/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids", "/sys/fs/cgroup"):
        for folder, dirs, _ in os.walk(mount):
            found |= {os.path.join(folder, d) for d in dirs if
                      d.startswith(f"grader-{os.getpid()}-")}
    return found


@needs_cgroup
def test_the_launcher_moves_the_whole_process_into_every_hierarchy(tmp_path: Path):
    """v1 joins through `tasks` (one thread: no global lock, no RCU grace period): what the
    launcher executes must still be, as a whole process, the only one of each cgroup."""
    from grader.sandbox.confine import confinement

    with confinement(tmp_path, memory_bytes=1 << 30, processes=8, lend_uid=False,
                     with_filter=False, require_filter=False) as confined:
        assert confined.cgroup is not None
        procs = [str(folder / "cgroup.procs") for folder in confined.cgroup.folders]
        shown = subprocess.run(
            confined.wrap(["/bin/sh", "-c", 'echo $$; cat /proc/$$/cgroup; for f; do '
                           'echo "members $(cat "$f")"; done', "sh", *procs]),
            capture_output=True, text=True, check=True).stdout.splitlines()
        name = confined.cgroup.folders[0].name
    pid, lines = shown[0], shown[1:]
    assert lines.count(f"members {pid}") == len(procs)  # its pid (the process), nothing else
    joined = [line for line in lines if line.endswith("/" + name)]
    assert len(joined) == len(procs)  # one line per hierarchy names the submission's cgroup
