"""Ask a submission for its answers: copy it to a scratch folder, run the harness sandboxed.

`probe_submission` is the grading process's only way to learn anything from student code,
and what it returns is validated plain data (`ProbeOutcome`).
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.protocol import HarnessRequest, Probe, ProbeOutcome
from grader.sandbox import Limits, bwrap_path, run_sandboxed

HARNESS = Path(__file__).with_name("harness.py")
HARNESS_INSIDE = "/opt/grader-harness/harness.py"


@dataclass(frozen=True)
class ProbeRun:
    outcomes: dict[str, ProbeOutcome]
    isolated: bool
    seconds: float
    problem: str = ""  # set when the harness itself gave no usable answer


def probe_submission(
    source: str, probes: tuple[Probe, ...], *, module_file: str, limits: Limits | None = None
) -> ProbeRun:
    """Run `source` (the student's module text) and answer every probe."""
    limits = limits or Limits(wall_seconds=5.0 + sum(p.timeout + 0.6 for p in probes))
    request = HarnessRequest(module_file=module_file, probes=probes,
                             memory_bytes=limits.memory_bytes, output_cap=limits.output_cap)
    with tempfile.TemporaryDirectory(prefix="grader-scratch-") as scratch:
        Path(scratch, module_file).write_text(source, encoding="utf-8")
        run = run_sandboxed(
            [sys.executable, "-I", HARNESS_INSIDE if bwrap_path() else str(HARNESS), "{result_fd}"],
            scratch=Path(scratch), stdin=json.dumps(request.to_dict()).encode(), limits=limits,
            ro_binds=((str(HARNESS), HARNESS_INSIDE),),
        )
    problem = ""
    try:
        answers = json.loads(run.channel.decode("utf-8"))["outcomes"]
        by_id = {a.get("id"): a for a in answers if isinstance(a, dict)}
    except (ValueError, KeyError, TypeError, AttributeError):
        by_id = {}
        problem = "the submission's run ended before it could report" + (
            " (time limit)" if run.timed_out else "")
    outcomes = {p.id: ProbeOutcome.from_untrusted(by_id.get(p.id), p.id) for p in probes}
    return ProbeRun(outcomes, run.isolated, run.seconds, problem)
