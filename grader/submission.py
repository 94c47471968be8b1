"""Find and read a submission: a `.py`, an `.ipynb`, or a folder holding one.

A `Location` is a trusted folder (the class folder given to `grader grade`, the folder given
to `grader check`, or the folder of the file it names) and below it the student's own names.
Every one of those names may be hostile: a link to the reference solution, to another
student's file or to a token; a FIFO; a 3 GiB sparse file; bytes that are not UTF-8. So each
is opened relative to the folder before it (`dir_fd`) with O_NOFOLLOW, a link anywhere is
refused (`LINK`), never followed, the size is taken from fstat before a byte is read, and the
bytes are read in chunks up to the cap. Reading is the only thing done with the file here; its
code runs in the sandbox only. A `.py` is decoded as Python decodes it (PEP 263: a BOM, or a
`coding:` line); a notebook is JSON (UTF-8) and becomes its code cells, which the sandbox runs
one by one as nbgrader's kernel does (`grader.notebooks.source`).
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import io
import json
import os
import stat
import tokenize
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError
from grader.notebooks.source import NotebookProblem, notebook_code

SUFFIXES = (".py", ".ipynb")
MAX_BYTES = 2 << 20
NOTEBOOK_MAX_BYTES = 32 << 20  # outputs (plots) make notebooks large; they are not read
CHUNK = 1 << 20
LINK = "symbolic links are not accepted: hand in the file itself"
_OPEN = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC


class Unreadable(Exception):
    """The student's file cannot be taken as it is (a link, not a file, too large): a graded
    failure; str() says why, for the student."""


@dataclass(frozen=True)
class Location:
    folder: str  # trusted: opened as it is, links and all
    parts: tuple[str, ...]  # the student's names below it, the file last; no link accepted

    @property
    def path(self) -> Path:
        return Path(self.folder, *self.parts)

    @property
    def limit(self) -> int:
        return NOTEBOOK_MAX_BYTES if self.path.suffix == ".ipynb" else MAX_BYTES


@dataclass(frozen=True)
class Submission:
    path: Path
    source: str  # a .py's source, which runs; a notebook's cells as one script (the
    # sandbox's module file), while `cells` run; "" when `problem` is set
    problem: str = ""  # the file cannot be run at all: a graded failure, with this message
    cells: tuple[tuple[str, str], ...] = ()  # a notebook's (name, source) cells, each run alone
    handed_in: str = ""  # sha256 of the bytes handed in, or of `problem` when there were none

    @property
    def digest(self) -> str:
        """What a rerun compares: the bytes handed in; for a Submission made from text (no
        file), what runs: a notebook's cells count, not only the script they make."""
        if self.handed_in:
            return self.handed_in
        what = json.dumps([self.source, self.problem, self.cells])  # ASCII, whatever the text
        return hashlib.sha256(what.encode()).hexdigest()


def stored_name(text: str) -> str:
    """A name (or a message holding one) as text any UTF-8 store takes: the bytes of a name
    that is not UTF-8, which os gives as lone surrogates (sqlite3 refuses them with
    UnicodeEncodeError), become `\\xNN`; any other lone surrogate `\\udNNN`. Control
    characters are kept: this is the name; a terminal shows it through
    `grader.reports.text.printable`."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        try:
            return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:
            return text.encode("utf-8", "backslashreplace").decode("utf-8")


def locate(path: Path, module: str | None = None) -> Location:
    """For `grader check PATH`: the file PATH names, or the one candidate in the folder PATH."""
    if path.is_dir():  # the folder named is trusted; what is in it is the student's
        return locate_in(path, (), module)
    if not os.path.lexists(path):
        raise GraderError(f"{path}: no such file or folder")
    if path.suffix not in SUFFIXES:
        raise GraderError(f"{path}: not a .py or .ipynb file")
    return Location(str(path.parent), (path.name,))


def locate_in(folder: Path, parts: tuple[str, ...], module: str | None = None) -> Location:
    """The submission at `parts` below `folder`: that file, or the one candidate in that
    folder. Raises `Unreadable` for a link, `GraderError` for no candidate or several."""
    fd = _open_dir(str(folder), parts[:-1])
    try:
        if parts:
            kind = _kind(parts[-1], fd)
            if kind != stat.S_IFDIR:
                return Location(str(folder), parts)
            inner = _step(parts[-1], fd, os.O_DIRECTORY)
            os.close(fd)
            fd = inner
        names = sorted(n for n in os.listdir(fd) if Path(n).suffix in SUFFIXES
                       and not n.startswith(("test_", ".")) and _kind(n, fd) != stat.S_IFDIR)
    finally:
        os.close(fd)
    if module:
        names = [n for n in names if Path(n).stem == module] or names
    if len(names) != 1:
        found = ", ".join(stored_name(n) for n in names) or "none"
        raise GraderError(f"{stored_name(str(Path(folder, *parts)))}: expected one submission "
                          f"file (.py or .ipynb), found {found}")
    return Location(str(folder), (*parts, names[0]))


def read(where: Location | Path) -> Submission:
    """The submission, decoded; a file that cannot be taken is a `Submission` with a problem."""
    location = where if isinstance(where, Location) else Location(str(where.parent),
                                                                    (where.name,))
    try:
        raw = read_bytes(location)
    except Unreadable as exc:
        return failed(location.path, str(exc))
    digest = hashlib.sha256(raw).hexdigest()
    if location.path.suffix == ".ipynb":
        return notebook_source(location.path, raw, digest)
    return python_source(location.path, raw, digest)


def failed(path: Path, problem: str, digest: str = "") -> Submission:
    return Submission(path, "", problem,
                      handed_in=digest or hashlib.sha256(problem.encode()).hexdigest())


def digest_of(location: Location) -> str:
    """sha256 of the file's bytes, streamed: what a rerun compares, at one chunk of memory."""
    digest = hashlib.sha256()
    _stream(location, digest.update)
    return digest.hexdigest()


def read_bytes(location: Location) -> bytes:
    chunks: list[bytes] = []
    _stream(location, chunks.append)
    return b"".join(chunks)


def _stream(location: Location, take: Callable[[bytes], object]) -> None:
    """Open once (no link followed), size from fstat, then at most `limit` bytes in chunks."""
    limit = location.limit
    fd = _open_file(location)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("it is not a regular file (a FIFO, a device or a socket)")
        if info.st_size > limit:
            raise Unreadable(f"the file is larger than {limit >> 20} MiB")
        total = 0
        while chunk := os.read(fd, min(CHUNK, limit + 1 - total)):
            total += len(chunk)
            if total > limit:  # it grew while being read
                raise Unreadable(f"the file is larger than {limit >> 20} MiB")
            take(chunk)
    except OSError as exc:
        raise Unreadable(f"the file cannot be read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _open_file(location: Location) -> int:
    fd = _open_dir(location.folder, location.parts[:-1])
    try:  # O_NONBLOCK: opening a FIFO must not wait for a writer
        return _step(location.parts[-1], fd, os.O_NONBLOCK)
    finally:
        os.close(fd)


def _open_dir(folder: str, parts: tuple[str, ...]) -> int:
    """A descriptor of folder/parts, each of `parts` opened below the last without a link."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise Unreadable(f"the folder cannot be read: {exc.strerror or exc}") from None
    for name in parts:
        try:
            inner = _step(name, fd, os.O_DIRECTORY)
        finally:
            os.close(fd)
        fd = inner
    return fd


def _step(name: str, dir_fd: int, flags: int) -> int:
    try:
        return os.open(name, _OPEN | flags, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP or _kind(name, dir_fd) == stat.S_IFLNK:
            raise Unreadable(LINK) from None
        raise Unreadable(f"it cannot be opened: {exc.strerror or exc}") from None


def _kind(name: str, dir_fd: int) -> int | None:
    """S_IFDIR, S_IFLNK, S_IFREG...: what `name` is itself (a link is not followed)."""
    try:
        return stat.S_IFMT(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return None


def python_source(path: Path, raw: bytes, digest: str) -> Submission:
    """Decoded as Python decodes a file: a BOM, else a `coding:` line (PEP 263), else UTF-8;
    where Python itself could not read it, one message saying so and how to fix it."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:  # an unknown encoding, a BOM with another coding line...
        if "invalid or missing encoding declaration" not in str(exc.msg):
            why = ("it begins with a UTF-8 byte-order mark but declares another encoding"
                   if raw.startswith(codecs.BOM_UTF8) else exc.msg)
            return failed(path, f"Python cannot read the file: {why}", digest)
        encoding = "utf-8"  # ...or a first line that is not UTF-8: say where, below
    try:
        text = raw.decode(encoding)  # "utf-8-sig" when there is a BOM: it goes
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        return failed(path, f"Python cannot read the file: line {line} is not {encoding} text "
                      f"(byte 0x{raw[exc.start]:02x}); save it as UTF-8, or name its encoding "
                      "on its first line (e.g. `# -*- coding: gbk -*-`)", digest)
    return Submission(path, text, handed_in=digest)


def notebook_source(path: Path, raw: bytes, digest: str) -> Submission:
    """The notebook's code cells; a file that is no notebook is a graded failure, said why."""
    try:
        code = notebook_code(raw.decode("utf-8-sig", "replace"), stored_name(path.name))
        return Submission(path, code.script, cells=code.cells, handed_in=digest)
    except NotebookProblem as problem:
        return failed(path, f"the notebook is not a valid .ipynb file: {problem} "
                      "Open it in Jupyter and save it again", digest)
