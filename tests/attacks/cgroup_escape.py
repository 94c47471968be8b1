# ruff: noqa: UP031, SIM105, E501 -- written as a hostile student would write it
"""Attack: Tries to leave the submission's cgroup (and its memory and process budget): write
itself into a parent's cgroup.procs, raise its own limits, mount a cgroup hierarchy. Any of
it working costs its own DZ_DB.

expect: derive-dz-db=2 iterate-by-hand=2 two-variable-solver=0
"""

import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
escaped = []
for root in ("/sys/fs/cgroup", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids",
             "/sys/fs/cgroup/unified"):
    for leaf in ("cgroup.procs", "memory.limit_in_bytes", "pids.max", "memory.max"):
        try:
            with open(os.path.join(root, leaf), "w") as handle:
                handle.write(str(os.getpid()) if leaf == "cgroup.procs" else "max")
            escaped.append(os.path.join(root, leaf))
        except OSError:
            pass
try:
    os.makedirs("/tmp/cg", exist_ok=True)
    for kind, options in ((b"cgroup", b"memory"), (b"cgroup2", b"")):
        if libc.mount(kind, b"/tmp/cg", kind, 0, options) == 0:
            escaped.append("mounted " + kind.decode())
except OSError:
    pass
if any(not line.endswith(":/") for line in open("/proc/self/cgroup").read().splitlines()):
    escaped.append("sees the host's cgroup paths")

DZ_DB = "2*x + 3*y" if not escaped else "0"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077,
     "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def double_variable_new(w, b, t):
    print("escaped: %r" % escaped)
