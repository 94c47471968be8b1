"""Ask a submission for its answers: copy it to a scratch folder, run the harness sandboxed.

`probe_submission` is the grading process's only way to learn anything from student code,
and what it returns is validated plain data (`ProbeOutcome`).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import marshal
import os
import re
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from grader import cache
from grader.errors import GraderError
from grader.sandbox.bwrap import (
    SANDBOX_SWITCH,
    Limits,
    bwrap_path,
    run_sandboxed,
    running_as_root,
    runtime_python,
)
from grader.sandbox.cgroup import Usage
from grader.sandbox.packages import visible
from grader.sandbox.probe_failure import with_import_hint
from grader.sandbox.protocol import HarnessRequest, Probe, ProbeOutcome

HARNESS = Path(__file__).with_name("harness")  # the folder of the code that runs inside
HARNESS_INSIDE = "/opt/grader-harness"
FALLBACK_NOTICE = (
    "warning: bubblewrap (bwrap) is not installed, so the submission ran as a plain process, "
    "not isolated: it could read and write your files and use the network. Only grade code "
    "you trust this "
    "way; install bubblewrap (apt-get install bubblewrap) for the sandbox."
)
MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\.py")
_compiled: list[str] = []
_compiling = threading.Lock()


@dataclass(frozen=True)
class ProbeRun:
    outcomes: dict[str, ProbeOutcome]
    isolated: bool
    seconds: float
    problem: str = ""  # set when the harness itself gave no usable answer
    notice: str = ""  # FALLBACK_NOTICE when the run was not isolated
    budget: str = "rlimits"  # what bounded the whole submission: "cgroup v1"/"cgroup v2"
    usage: Usage = Usage()  # its peak memory and refusals, where a cgroup counted them


def sandbox_available() -> bool:
    return bwrap_path() is not None


def probe_submission(
    source: str,
    probes: tuple[Probe, ...],
    *,
    module_file: str,
    cells: tuple[tuple[str, str], ...] = (),
    limits: Limits | None = None,
    require_isolation: bool = False,
    packages: tuple[str, ...] = (),
) -> ProbeRun:
    """Run `source` (the student's module text; a notebook's `cells` instead, when given, each
    on its own) and answer every probe. `packages`: the distributions (the assignment's
    `packages:`) it may import besides the standard library."""
    if require_isolation and not sandbox_available():
        raise GraderError("refusing to run student code without the sandbox: bubblewrap is not "
                          "installed (apt-get install bubblewrap)")
    if not sandbox_available() and running_as_root() and os.environ.get(SANDBOX_SWITCH) != "none":
        # Unsandboxed as root, student code could do anything root can: only on request.
        raise GraderError("refusing to run student code as root without the sandbox: install "
                          "bubblewrap, or set GRADER_SANDBOX=none to accept the risk")
    if not MODULE_NAME.fullmatch(module_file):
        raise GraderError(f"not a module file name: {module_file!r}")
    # each probe may run 2x its CPU limit + 0.5 s of wall time (harness_watch.WALL_FACTOR,
    # WALL_GRACE), a name read twice (alone, after its shared child failed), and compiling a
    # large source 2 x 5 s + 0.5 s (harness_compile.COMPILE_SECONDS)
    limits = limits or Limits(wall_seconds=15.5 + sum(
        (4 if p.kind == "value" else 2) * p.timeout + 1.1 for p in probes))
    request = HarnessRequest(
        module_file=module_file, probes=probes, memory_bytes=limits.memory_bytes,
        output_cap=limits.output_cap, processes=limits.processes,
        file_bytes=limits.file_bytes, open_files=limits.open_files,
        cpu_seconds=limits.cpu_seconds, cells=cells)
    isolated = sandbox_available()
    shown = visible(tuple(packages), (source, *(text for _, text in cells)))
    with tempfile.TemporaryDirectory(prefix="grader-scratch-") as scratch:
        Path(scratch, module_file).write_text(source, encoding="utf-8")
        run = run_sandboxed(
            [runtime_python(), "-I", "-S",
             f"{HARNESS_INSIDE if isolated else harness_folder()}/harness.pyc",
             "{result_fd}", "{uid}", *shown.harness_args],
            scratch=Path(scratch), stdin=request.to_stream(), limits=limits,
            ro_binds=((harness_folder(), HARNESS_INSIDE), *shown.binds),
            channel_cap=8 * limits.output_cap * (len(probes) + 1),
            env=shown.env, require_filter=require_isolation,
        )
    by_id = _read_channel(run.channel)
    own = ("bwrap:", "harness:", "sandbox:") if run.isolated else ("sandbox:",)
    if not by_id and run.stderr.startswith(own):
        # bwrap's, the harness's or the launcher's own complaint, before any student code ran
        # (a prctl that keeps children out of the harness failed, the cgroup could not be
        # entered): the grader's fault, not theirs
        raise GraderError("the sandbox could not start: " + run.stderr.strip().splitlines()[0])
    missing = [p.id for p in probes if p.id not in by_id]
    problem = ""
    if missing:
        problem = "the submission's run ended before it could report" + (
            " (time limit)" if run.timed_out else "")
    outcomes = {p.id: with_import_hint(ProbeOutcome.from_untrusted(by_id.get(p.id), p.id),
                                       shown.names) for p in probes}
    return ProbeRun(outcomes, run.isolated, run.seconds, problem,
                    "" if run.isolated else FALLBACK_NOTICE, run.budget, run.usage)


def harness_folder() -> str:
    """The harness's files as .pyc, once per grading process, in a private folder of their own
    (bound read-only into the sandbox). Python never caches the script it is given to run,
    so each sandbox would compile the harness again (~4 ms); a .pyc runs as it is (its
    header: the magic number, then 12 bytes Python skips), and its siblings import from
    .pyc alone. File names are the ones inside the sandbox, so that tracebacks there name
    them."""
    with _compiling:
        if not _compiled:
            folder = tempfile.mkdtemp(prefix="grader-harness-")
            atexit.register(shutil.rmtree, folder, True)
            for name, pyc in harness_pycs().items():
                target = Path(folder, name)
                target.write_bytes(pyc)
                os.chmod(target, 0o644)
            os.chmod(folder, 0o755)  # the throwaway uid runs it where bwrap is missing
            _compiled.append(folder)
        return _compiled[0]


def harness_pycs() -> dict[str, bytes]:
    """{file name: .pyc}: from the grader's cache when it holds these very sources compiled
    by this Python (compiling them costs a first run ~20 ms), else compiled and kept."""
    sources = {path.name: path.read_bytes() for path in sorted(HARNESS.glob("*.py"))}
    key = cache.key_of(importlib.util.MAGIC_NUMBER, sys.version.encode(),
                       str(sys.flags.optimize).encode(), HARNESS_INSIDE.encode(),
                       *(part for name, text in sources.items() for part in (name.encode(), text)))
    wanted = {Path(name).stem + ".pyc" for name in sources}
    cached = cache.load("harness", key)
    with contextlib.suppress(ValueError, EOFError, TypeError):
        found = marshal.loads(cached) if cached is not None else None
        if isinstance(found, dict) and set(found) == wanted:
            return found
    compiled = {}
    for name, text in sources.items():
        # dont_inherit: not this module's `annotations` future, which the harness's own
        # compile() calls would pass on to the student's code
        code = compile(text.decode("utf-8"), f"{HARNESS_INSIDE}/{name}", "exec",
                       dont_inherit=True)
        compiled[Path(name).stem + ".pyc"] = (importlib.util.MAGIC_NUMBER + bytes(12)
                                              + marshal.dumps(code))
    cache.store("harness", key, marshal.dumps(compiled))
    return compiled


def _read_channel(channel: bytes) -> dict[str, object]:
    """One JSON object per line; a line that does not parse is dropped, not the others."""
    found: dict[str, object] = {}
    for line in channel.split(b"\n"):
        try:
            answer = json.loads(line.decode("utf-8"))
        except (ValueError, RecursionError):
            continue
        if isinstance(answer, dict) and type(answer.get("id")) is str:
            found.setdefault(answer["id"], answer)
    return found
