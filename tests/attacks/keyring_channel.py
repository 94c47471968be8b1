# ruff: noqa: UP031, SIM105, E501 -- written as a hostile student would write it
"""Attack: Uses the kernel keyrings as a channel: reads the grader's session keyring and the
uid's user keyring, and leaves a key for the next submission. Any of it working costs its
own DZ_DB (so the points show whether the walls held).

expect: derive-dz-db=2 iterate-by-hand=2 two-variable-solver=0
"""

import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
SYS_ADD_KEY, SYS_KEYCTL = 248, 250  # x86_64
escaped = []
for ring in (-3, -4, -5):  # session, user, user-session keyrings
    if libc.syscall(SYS_KEYCTL, 0, ring, 0) >= 0:  # KEYCTL_GET_KEYRING_ID
        escaped.append("keyring %d" % ring)
    if libc.syscall(SYS_ADD_KEY, b"user", b"grader-attack-channel", b"hi", 2, ring) >= 0:
        escaped.append("stored in %d" % ring)
if os.path.exists("/proc/keys"):
    keys = open("/proc/keys").read()
    if "grader-attack-channel" in keys or "user " in keys:
        escaped.append("saw keys")

DZ_DB = "2*x + 3*y" if not escaped else "0"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077,
     "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def double_variable_new(w, b, t):
    print("escaped: %r" % escaped)
