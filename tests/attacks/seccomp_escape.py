# ruff: noqa: UP031, SIM105, E501 -- written as a hostile student would write it
"""Attack: Calls what a sandbox should never allow: ptrace, a new user namespace, bpf,
userfaultfd, perf_event_open, reading another process's memory, file handles. Any of it
working costs its own DZ_DB.

expect: derive-dz-db=2 iterate-by-hand=2 two-variable-solver=0
"""

import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
CALLS = {  # x86_64 numbers, harmless arguments that succeed when the call is allowed
    "ptrace_traceme": (101, (0, 0, 0, 0)),
    "unshare_nothing": (272, (0,)),
    "unshare_user": (272, (0x10000000,)),
    "userfaultfd": (323, (0,)),
    "bpf": (321, (0, 0, 0)),
    "perf_event_open": (298, (0, 0, -1, -1, 0)),
    "process_vm_readv": (310, (os.getpid(), 0, 0, 0, 0, 0)),
    "name_to_handle_at": (303, (-100, b"/", 0, 0, 0)),
    "iopl": (172, (0,)),
    "setns": (308, (-1, 0)),
}
escaped = []
for name, (number, args) in CALLS.items():
    if libc.syscall(number, *args) != -1 or ctypes.get_errno() != 1:  # 1: EPERM
        escaped.append(name)

DZ_DB = "2*x + 3*y" if not escaped else "0"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077,
     "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def double_variable_new(w, b, t):
    print("escaped: %r" % escaped)
