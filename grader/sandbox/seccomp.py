"""The seccomp filter bwrap applies just before it executes the harness (`bwrap --seccomp FD`).

It denies the system calls that grading never needs and that reach past the sandbox's other
walls: the kernel keyrings (a channel between submissions, and the grader's own keys),
tracing and reading other processes' memory, kernel extensions (bpf, modules, kexec),
mounting and namespace changes (bwrap is done with those when the filter applies), perf,
userfaultfd (a classic helper of kernel exploits), file handles (open_by_handle_at
escapes a mount namespace) and port I/O. A denied call fails with EPERM, so student code
sees an ordinary error, not a killed process. clone3 fails with ENOSYS, so that the C
library falls back to clone, whose flags a filter can see: clone asking for a new namespace
is denied. A call from a foreign ABI (32-bit `int 0x80`, x32) kills the process: the filter
only speaks the native one.

Built with libseccomp (the `pyseccomp` package), never hand-written BPF, once per grading
process; `filter_bytes()` returns the compiled program, or raises `SeccompUnavailable`.
"""

from __future__ import annotations

import errno
import functools
import os
import tempfile

DENIED = (
    "keyctl", "add_key", "request_key",
    "ptrace", "process_vm_readv", "process_vm_writev",
    "bpf", "perf_event_open", "userfaultfd",
    "mount", "umount2", "pivot_root", "fsopen", "fsmount", "fsconfig", "fspick", "move_mount",
    "open_tree", "mount_setattr",
    "unshare", "setns",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "reboot", "swapon", "swapoff",
    "open_by_handle_at", "name_to_handle_at",
    "iopl", "ioperm",
)
# clone's flags that make a namespace (sched.h): NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER,
# NEWPID, NEWNET, NEWTIME
CLONE_NAMESPACES = (0x20000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000,
                    0x40000000, 0x80)


class SeccompUnavailable(RuntimeError):
    """libseccomp (pyseccomp) is missing or cannot build the filter here."""


@functools.cache
def filter_bytes() -> bytes:
    """The compiled BPF program (a few hundred bytes), built once per grading process."""
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError) as exc:  # the package, or the libseccomp it loads
        raise SeccompUnavailable(f"pyseccomp cannot load libseccomp: {exc}") from exc
    try:
        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        rules.set_attr(seccomp.Attr.ACT_BADARCH, seccomp.KILL_PROCESS)
        for name in DENIED:
            _deny(seccomp, rules, name)
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
        for flag in CLONE_NAMESPACES:
            rules.add_rule(seccomp.ERRNO(errno.EPERM), "clone",
                           seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
        with tempfile.TemporaryFile() as program:
            rules.export_bpf(program)
            program.seek(0)
            return program.read()
    except (OSError, RuntimeError, ValueError) as exc:
        raise SeccompUnavailable(f"libseccomp could not build the filter: {exc}") from exc


def _deny(seccomp: object, rules: object, name: str) -> None:
    try:
        number = seccomp.resolve_syscall(seccomp.Arch.NATIVE, name)  # type: ignore[attr-defined]
    except (ValueError, RuntimeError, OSError):
        return  # not a call of this architecture (iopl outside x86): nothing to deny
    if number < 0:
        return
    rules.add_rule(seccomp.ERRNO(errno.EPERM), name)  # type: ignore[attr-defined]


def filter_pipe() -> int:
    """A pipe's read end holding the program, for `bwrap --seccomp FD` (bwrap reads it to the
    end). The program is far below a pipe's buffer, so writing it cannot block."""
    program = filter_bytes()
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, program)
    finally:
        os.close(write_end)
    return read_end
