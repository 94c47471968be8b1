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

Built with libseccomp (the `pyseccomp` package), never hand-written BPF; `filter_bytes()`
returns the compiled program, or raises `SeccompUnavailable`. Importing pyseccomp runs
ldconfig twice (~10 ms of a first run), so the program is kept in the grader's cache
(grader.cache) under everything it is made from, and built once per grading
process only when that changed (`_made_from`, and the library file, checked on use).
"""

from __future__ import annotations

import errno
import functools
import importlib.util
import marshal
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader import cache

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


@dataclass(frozen=True)
class Program:
    bpf: bytes  # the compiled filter, a few hundred bytes
    keyctl: int  # keyctl's number here, resolved by the same libseccomp (the keyring join)
    library: str  # the libseccomp file that built it, and its signature


def filter_bytes() -> bytes:
    """The compiled BPF program, from the cache or built (once per grading process)."""
    return program().bpf


@functools.cache
def program() -> Program:
    made_from = _made_from()
    if made_from is not None:
        kept = _kept(made_from)
        if kept is not None:
            return kept
    built = _build()
    if made_from is not None and built.library:
        cache.store("seccomp", made_from, marshal.dumps((built.bpf, built.keyctl,
                                                         built.library)))
    return built


def _made_from() -> bytes | None:
    """The cache key, without importing pyseccomp: these rules (this file, and the lists as
    they are now), the pyseccomp that would be imported, what makes the loader pick a
    libseccomp, the machine and the kernel (libseccomp asks it what it supports). None
    where pyseccomp is not there to import: then building says why."""
    try:
        spec = importlib.util.find_spec("pyseccomp")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    system = os.uname()
    return cache.key_of(Path(__file__).read_bytes(), repr((DENIED, CLONE_NAMESPACES)).encode(),
                        _signature(spec.origin).encode(), _signature("/etc/ld.so.cache").encode(),
                        os.environ.get("LD_LIBRARY_PATH", "").encode(),
                        os.environ.get("LD_PRELOAD", "").encode(),
                        system.machine.encode(), system.release.encode())


def _kept(made_from: bytes) -> Program | None:
    """The cached program, if its libseccomp file is still the one that built it."""
    entry = cache.load("seccomp", made_from)
    try:
        bpf, keyctl, library = marshal.loads(entry) if entry is not None else (None, 0, "")
    except (ValueError, EOFError, TypeError):
        return None
    if type(bpf) is not bytes or type(keyctl) is not int or type(library) is not str:
        return None
    found = _signature(library.split("\0", 1)[0])
    return Program(bpf, keyctl, library) if bpf and found and found == library else None


def _signature(path: str) -> str:
    """The file at `path` as the loader would find it: its identity, size and times ("" for
    no file, which matches nothing)."""
    try:
        info = os.stat(path)
    except OSError:
        return ""
    return (f"{path}\0{info.st_dev}:{info.st_ino}:{info.st_size}:{info.st_mtime_ns}:"
            f"{info.st_ctime_ns}")


def _build() -> Program:
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError, RuntimeError) as exc:  # the package, or the libseccomp it loads
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
        with tempfile.TemporaryFile() as bpf:
            rules.export_bpf(bpf)
            bpf.seek(0)
            compiled = bpf.read()
        keyctl = seccomp.resolve_syscall(seccomp.Arch.NATIVE, "keyctl")
    except (OSError, RuntimeError, ValueError) as exc:
        raise SeccompUnavailable(f"libseccomp could not build the filter: {exc}") from exc
    return Program(compiled, keyctl, _loaded_libseccomp())


def _loaded_libseccomp() -> str:
    """The signature of the libseccomp file this process mapped; "" where it cannot tell
    (then nothing is cached)."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = line.split(maxsplit=5)[-1].strip()
                if os.path.basename(path).startswith("libseccomp.so"):
                    return _signature(path)
    except OSError:
        pass
    return ""


def keyctl_number() -> int:
    """keyctl's system call number (-1: none here), as libseccomp resolves it."""
    try:
        return program().keyctl
    except SeccompUnavailable:  # no filter: the keyring join may still be possible
        import pyseccomp  # ImportError, OSError, RuntimeError: the caller's to handle

        return int(pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, "keyctl"))


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
