"""The installed packages an assignment lets student code import, and nothing else.

An assignment declares distributions (`packages: [numpy, matplotlib]`). Those and their
dependencies (their `Requires-Dist`, followed recursively, markers evaluated for this
runtime, extras left out) are bound read-only into the sandbox at the path they have
outside, each top-level import folder or file on its own (numpy, numpy.libs, pylab.py, the
.dist-info folder some read their version from), on a site-packages that is otherwise an
empty, read-only tmpfs. Every other installed package, the grader's own among them, is not
there to import or read.

matplotlib runs headless: its backend is the harness's `harness_plotting` (Agg, with a
`show()` that does nothing) and its config and font cache go to the sandbox's private /tmp.
BLAS libraries get one thread: a probe's CPU time is its limit, and threads multiply
address space against RLIMIT_AS.
"""

from __future__ import annotations

import functools
import marshal
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from grader import cache
from grader.errors import GraderError

HEADLESS = (("MPLBACKEND", "module://harness_plotting"), ("MPLCONFIGDIR", "/tmp/matplotlib"),
            ("OPENBLAS_NUM_THREADS", "1"), ("OMP_NUM_THREADS", "1"), ("MKL_NUM_THREADS", "1"))
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
REQUIRED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # the name that starts a requirement


@dataclass(frozen=True)
class Visible:
    names: tuple[str, ...]  # the declared distributions, as the student is told
    binds: tuple[tuple[str, str], ...]  # (outside, inside): the same path on both sides
    path: tuple[str, ...]  # folders for the sandbox's sys.path
    env: tuple[tuple[str, str], ...]
    modules: tuple[str, ...] = ()  # their top-level import names

    @property
    def harness_args(self) -> list[str]:
        """argv[3:] of the harness: where the packages are, and what they are called."""
        return [":".join(self.path), ",".join(self.modules)] if self.binds else []


def visible(packages: tuple[str, ...], texts: tuple[str, ...] | None = None) -> Visible:
    """What the sandbox must show for these distributions (nothing at all for none). With
    `texts` (the submission's source, or its cells), only when they name one of the modules:
    a submission that imports nothing extra costs what it did before packages existed (no
    mounts, no environment, nothing preloaded). A name built at run time
    (`__import__("nu" + "mpy")`) then finds nothing, and is told what is available."""
    if not packages:
        return Visible((), (), (), ())
    shown = _resolve(tuple(packages))
    if texts is not None and not any(_names(shown.modules).search(text) for text in texts):
        return Visible(shown.names, (), (), ())
    return shown


@functools.cache
def _names(modules: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(map(re.escape, modules)) + r")\b")


@functools.cache
def _resolve(packages: tuple[str, ...]) -> Visible:
    """Looked up once per grading process, and kept in the grader's cache across them: the
    lookup reads every site folder and the RECORD of each distribution (10-20 ms of every
    `grader check` for numpy and matplotlib)."""
    made_from = _made_from(packages)
    # one entry per tuple of packages (a new lookup of the same tuple replaces its entry)
    kind = "packages-" + cache.key_of(repr(packages).encode()).hex()[:8]
    kept = _kept(cache.load(kind, made_from))
    if kept is not None:
        return kept
    infos = _closure(packages)
    shown = _shown(packages, infos)
    checks = [(str(info), _signature(info)) for info in infos]
    cache.store(kind, made_from, marshal.dumps(
        ((shown.names, shown.binds, shown.path, shown.env, shown.modules), checks)))
    return shown


def _shown(packages: tuple[str, ...], infos: list[Path]) -> Visible:
    binds: dict[str, str] = {}
    folders: list[str] = []
    for info in infos:
        site = info.parent
        if str(site) not in folders:
            folders.append(str(site))
        for entry in _top_level(info):
            binds.setdefault(str(site / entry), str(site / entry))
    modules = {Path(inside).name.removesuffix(".py") for inside in binds.values()}
    modules = {m for m in modules if m.isidentifier()}  # not numpy.libs, not a .dist-info
    return Visible(packages, tuple(sorted(binds.items())), tuple(folders), HEADLESS,
                   tuple(sorted(modules)))


def _made_from(packages: tuple[str, ...]) -> bytes:
    """The cache key: the packages, this runtime (markers), this file, and every folder the
    lookup lists, as it is now (installing or removing a distribution changes its folder)."""
    folders = [f"{folder}\0{_stat(folder)}" for folder in sys.path if os.path.isabs(folder)]
    return cache.key_of(repr(packages).encode(), sys.version.encode(), sys.platform.encode(),
                        os.uname().machine.encode(), Path(__file__).read_bytes(),
                        "\n".join(folders).encode())


def _kept(entry: bytes | None) -> Visible | None:
    """The cached lookup, if every distribution it read is still as it was then (one
    reinstalled in place has a new .dist-info, METADATA or RECORD)."""
    try:
        (names, binds, path, env, modules), checks = marshal.loads(entry or b"")
    except (ValueError, EOFError, TypeError):
        return None
    if not checks or any(_signature(Path(info)) != signature for info, signature in checks):
        return None
    return Visible(tuple(names), tuple(map(tuple, binds)), tuple(path), tuple(map(tuple, env)),
                   tuple(modules))


def _signature(info: Path) -> str:
    return "|".join(_stat(str(p)) for p in (info, info / "METADATA", info / "RECORD"))


def _stat(path: str) -> str:
    try:
        found = os.stat(path)
    except OSError:
        return "missing"
    return f"{found.st_dev}:{found.st_ino}:{found.st_size}:{found.st_mtime_ns}:{found.st_ctime_ns}"


def _closure(packages: tuple[str, ...]) -> list[Path]:
    """The .dist-info folders of the distributions and of all they require here, each once.
    Read directly: importlib.metadata parses every METADATA as e-mail (~150 ms for
    matplotlib's eleven), and `grader check` must not pay that."""
    installed = _installed()
    found: dict[str, Path] = {}
    todo = [(name, "the assignment's `packages:`") for name in packages]
    while todo:
        name, wanted_by = todo.pop()
        key = _normal(name)
        if key in found:
            continue
        if key not in installed:
            raise GraderError(f"{wanted_by} names {name!r}, which is not installed for the "
                              f"grader's Python: pip install {name}")
        found[key] = installed[key]
        for line in _requires(installed[key]):
            required, _, marker = line.partition(";")
            if _applies(marker.strip()):
                todo.append((REQUIRED.match(required.strip()).group(0),  # type: ignore[union-attr]
                             f"{name!r} (in the assignment's packages)"))
    return list(found.values())


def _installed() -> dict[str, Path]:
    """Normalised distribution name -> its .dist-info, first on sys.path winning (as import
    and importlib.metadata have it). Relative entries (the current folder, which may be a
    class's hand-ins) are not looked at."""
    found: dict[str, Path] = {}
    for folder in sys.path:
        if not os.path.isabs(folder):
            continue
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        real = Path(folder).resolve()
        for name in names:
            if name.endswith(".dist-info"):
                found.setdefault(_normal(name[: -len(".dist-info")].split("-")[0]), real / name)
    return found


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requires(info: Path) -> list[str]:
    """The Requires-Dist lines of METADATA's header (it ends at the first empty line)."""
    found = []
    with open(info / "METADATA", encoding="utf-8", errors="replace") as header:
        for line in header:
            if line in ("\n", "\r\n"):  # not a whitespace line: the License field has some
                break
            if line.startswith("Requires-Dist:"):
                found.append(line[len("Requires-Dist:"):].strip())
    return found


def _applies(marker: str) -> bool:
    """Whether a requirement's marker holds here, extras never. packaging (pip's and pytest's,
    always installed) costs ~40 ms to import, so only a marker that is not about an extra
    is handed to it; none of numpy's or matplotlib's has one."""
    if not marker:
        return True
    if "extra" in marker:
        return False  # an optional part: the assignment names what it wants
    from packaging.markers import Marker

    return Marker(marker).evaluate()


def _top_level(info: Path) -> list[str]:
    """The first path component of every file it installed into its site folder: import
    folders and modules, their `.libs` folders, its own metadata. Not scripts (`../../bin`),
    not a shared __pycache__ (other packages' bytecode), not .pth files (site is off).
    RECORD is read as text: `dist.files` builds an object per file (~20 ms for matplotlib)."""
    record = _text(info / "RECORD")
    entries = {line.split(",", 1)[0].split("/", 1)[0] for line in record.splitlines()}
    entries = {e for e in entries if e not in ("", "..", "__pycache__") and
               not e.endswith(".pth")}
    if not entries:
        text = _text(info / "top_level.txt")
        entries = {line.strip() for line in text.splitlines() if NAME.fullmatch(line.strip())}
    entries.add(info.name)
    return sorted(e for e in entries if (info.parent / e).exists())


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
