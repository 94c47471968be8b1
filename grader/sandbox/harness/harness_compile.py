"""Compiling the submission, once, before any child runs it.

Compiling runs none of the student's code, but a hostile source can make it slow (in Python
3.11 an f-string of half a million fields, 1.8 MB, takes minutes) or big. Up to 64 KiB of
source (far more than any answer) it takes milliseconds at worst, and the harness compiles
it itself; a larger source is compiled in a child of its own, whose CPU and memory limits
bound that, and the harness only unmarshals what its own compiling child produced.
"""

import marshal
import os
import resource

from harness_os import drop_output, restore_output, send, set_limit
from harness_watch import run_forked

COMPILE_SECONDS = 5  # of CPU; a 2 MiB file of plain statements compiles in about 1 s
COMPILED_CAP = 64 << 20
IN_PLACE_BYTES = 64 << 10  # a fork and a child cost more than compiling this much
TOO_BIG = "the file cannot be compiled within the sandbox's limits (time or memory)"


def compile_submission(request: dict) -> list | str:
    """The submission's code objects, in order (a notebook: one per cell), each flagged
    whether its errors are caught as a kernel would; or why it cannot be loaded at all."""
    cells = request.get("cells")
    as_kernel = bool(cells)
    if not cells:
        try:
            with open(request["module_file"], encoding="utf-8") as handle:
                cells = [[request["module_file"], handle.read()]]
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            return f"cannot read the file: {exc}"
    if sum(len(source) for _, source in cells) <= IN_PLACE_BYTES:
        saved = drop_output()  # compiler warnings are shown to no one
        try:
            return compile_cells(cells, as_kernel)
        finally:
            restore_output(saved)
    return compile_in_child(cells, as_kernel)


def compile_in_child(cells: list, as_kernel: bool) -> list | str:
    def compile_and_send(out_w: int, code_w: int) -> None:
        os.dup2(out_w, 1)  # compiler warnings: read and dropped
        os.dup2(out_w, 2)
        set_limit(resource.RLIMIT_CPU, COMPILE_SECONDS, COMPILE_SECONDS + 1)
        send(code_w, marshal.dumps(compile_cells(cells, as_kernel)))
        os._exit(0)

    status, pipes = run_forked(compile_and_send, COMPILE_SECONDS, 64 << 10, COMPILED_CAP)
    if status != "exited":
        return TOO_BIG
    try:
        return marshal.loads(bytes(pipes.value))
    except (EOFError, ValueError, TypeError):
        return TOO_BIG


def compile_cells(cells: list, as_kernel: bool) -> list | str:
    program = []
    for name, source in cells:
        try:
            # dont_inherit: the student's code gets no __future__ flag of the harness's
            program.append((compile(source, name, "exec", dont_inherit=True), as_kernel))
        except SyntaxError as exc:
            if not as_kernel:
                where = f" on line {exc.lineno}" if exc.lineno else ""  # NUL bytes: no line
                return f"SyntaxError{where}: {exc.msg}"
        except (ValueError, MemoryError, RecursionError, OverflowError) as exc:
            if not as_kernel:
                return f"the file cannot be compiled: {type(exc).__name__}"
    return program  # a notebook's cell that does not compile is skipped, as a kernel would
