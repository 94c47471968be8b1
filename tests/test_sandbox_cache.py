"""The grader's cache across its processes (grader.cache): an entry is served only
for the key it was made from, whole, and only when no one but this uid could have written
it; the harness and the seccomp filter it serves are what building them gives now."""

from __future__ import annotations

import contextlib
import importlib.util
import marshal
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader import cache
from grader.sandbox import packages, probing, seccomp

KEY, OTHER = cache.key_of(b"made", b"from"), cache.key_of(b"madefrom")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_SWITCH, str(where))
    return where


def _entry(folder: Path) -> Path:
    (entry,) = folder.iterdir()
    return entry


def test_an_entry_is_served_for_its_own_key_whole_or_not_at_all(folder: Path):
    assert cache.load("kind", KEY) is None
    cache.store("kind", KEY, b"content")
    assert cache.load("kind", KEY) == b"content"
    assert KEY != OTHER  # the parts are length-prefixed: b"made"+b"from" is not b"madefrom"
    assert cache.load("kind", OTHER) is None and cache.load("other", KEY) is None
    entry = _entry(folder)
    data = entry.read_bytes()
    entry.write_bytes(data[:-1] + b"X")  # a byte of content changed
    assert cache.load("kind", KEY) is None
    entry.write_bytes(data[:-3])  # torn
    assert cache.load("kind", KEY) is None
    # an entry made for another key, under this key's name (a stale one), is not served
    cache.store("kind", OTHER, b"other content")
    _entry_for(folder, OTHER).rename(entry)
    assert cache.load("kind", KEY) is None


def _entry_for(folder: Path, key: bytes) -> Path:
    return next(p for p in folder.iterdir() if p.name.endswith(key.hex()[:32]))


@contextlib.contextmanager
def _behind_a_link(path: Path, elsewhere: Path) -> Iterator[None]:
    """`path` moved to `elsewhere`, a symlink left in its place; put back afterwards."""
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    try:
        yield
    finally:
        path.unlink()
        elsewhere.rename(path)


def test_an_entry_someone_else_could_have_written_is_not_used(folder: Path, tmp_path: Path):
    cache.store("kind", KEY, b"content")
    entry = _entry(folder)
    entry.chmod(0o666)
    assert cache.load("kind", KEY) is None
    entry.chmod(0o600)
    folder.chmod(0o777)
    assert cache.load("kind", KEY) is None
    folder.chmod(0o700)
    assert cache.load("kind", KEY) == b"content"
    # a link, to the entry or to the folder, is not followed
    with _behind_a_link(entry, tmp_path / "elsewhere"):
        assert cache.load("kind", KEY) is None
    with _behind_a_link(folder, tmp_path / "real"):
        assert cache.load("kind", KEY) is None
    if os.geteuid() == 0:  # another uid's file, however it got there
        os.chown(entry, 12345, 12345)
        assert cache.load("kind", KEY) is None


def test_without_a_usable_folder_everything_is_made_as_before(folder: Path):
    folder.parent.chmod(0o500)
    try:
        if os.geteuid() == 0:  # root writes anyway: make the folder another uid's instead
            folder.mkdir()
            os.chown(folder, 12345, 12345)
        cache.store("kind", KEY, b"content")  # quietly nothing
        assert cache.load("kind", KEY) is None
    finally:
        folder.parent.chmod(0o700)


@pytest.fixture
def harness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: Path) -> Path:
    copy = tmp_path / "harness"
    shutil.copytree(probing.HARNESS, copy)
    monkeypatch.setattr(probing, "HARNESS", copy)
    return copy


def _names(pyc: bytes) -> tuple[str, ...]:
    return marshal.loads(pyc[16:]).co_names  # type: ignore[no-any-return]


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The file names compile() is called for from here on."""
    names: list[str] = []
    real_compile = compile

    def counting(source: str, filename: str, *args: object, **kwargs: object) -> object:
        names.append(filename)
        return real_compile(source, filename, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.compile", counting)
    return names


def test_the_harness_is_compiled_once_then_served_for_these_very_sources(
        harness: Path, compiled: list[str], monkeypatch: pytest.MonkeyPatch):
    first = probing.harness_pycs()
    assert sorted(first) == sorted(p.stem + ".pyc" for p in harness.glob("*.py"))
    assert len(compiled) == len(first)
    compiled.clear()
    assert probing.harness_pycs() == first and compiled == []  # served
    # a changed source (another grader version): compiled anew, never the stale entry
    with (harness / "harness_os.py").open("a", encoding="utf-8") as source:
        source.write("\nCHANGED_BY_THE_TEST = 1\n")
    changed = probing.harness_pycs()
    assert "CHANGED_BY_THE_TEST" in _names(changed["harness_os.pyc"])
    assert "CHANGED_BY_THE_TEST" not in _names(first["harness_os.pyc"])
    assert compiled and all(name.startswith(probing.HARNESS_INSIDE) for name in compiled)
    # another Python's bytecode: compiled anew as well
    compiled.clear()
    monkeypatch.setattr("importlib.util.MAGIC_NUMBER", b"\x00\x00\r\n")
    assert probing.harness_pycs()["harness.pyc"][:4] == b"\x00\x00\r\n" and compiled


def test_a_harness_entry_that_is_not_ours_is_compiled_anew(
        harness: Path, folder: Path, compiled: list[str]):
    first = probing.harness_pycs()
    _entry(folder).chmod(0o646)
    compiled.clear()
    assert probing.harness_pycs() == first and len(compiled) == len(first)
    assert _entry(folder).stat().st_mode & 0o777 == 0o600  # stored again, as ours alone
    compiled.clear()
    assert probing.harness_pycs() == first and compiled == []


def test_storing_an_entry_drops_the_other_versions_of_its_kind(folder: Path):
    cache.store("kind", KEY, b"old version")
    cache.store("other", KEY, b"another kind")
    cache.store("kind", OTHER, b"new version")
    assert cache.load("kind", KEY) is None and cache.load("kind", OTHER) == b"new version"
    assert cache.load("other", KEY) == b"another kind"


def test_the_folder_keeps_at_most_max_entries_the_oldest_go(folder: Path,
                                                           monkeypatch: pytest.MonkeyPatch):
    """Kinds named after a folder or a package list would otherwise pile up."""
    monkeypatch.setattr(cache, "MAX_ENTRIES", 5)
    for n in range(8):
        cache.store(f"kind{n}", KEY, b"content")
        os.utime(folder / cache._name(f"kind{n}", KEY), ns=(n * 10**9, n * 10**9))
    assert len(list(folder.iterdir())) == 5
    assert [n for n in range(8) if cache.load(f"kind{n}", KEY) is not None] == [3, 4, 5, 6, 7]


@pytest.fixture
def filters(folder: Path) -> Iterator[list[seccomp.Program]]:
    """Each program libseccomp builds from here on; no program of this process's own."""
    built: list[seccomp.Program] = []
    real_build = seccomp._build

    def counting() -> seccomp.Program:
        built.append(real_build())
        return built[-1]

    seccomp.program.cache_clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(seccomp, "_build", counting)
        yield built
    seccomp.program.cache_clear()


def _again() -> seccomp.Program:
    seccomp.program.cache_clear()  # as a new grading process would
    return seccomp.program()


needs_libseccomp = pytest.mark.skipif(importlib.util.find_spec("pyseccomp") is None,
                                      reason="pyseccomp is not installed")


@needs_libseccomp
def test_the_cached_filter_is_the_one_built_for_these_rules_and_this_libseccomp(
        filters: list[seccomp.Program], monkeypatch: pytest.MonkeyPatch):
    first = _again()
    assert len(filters) == 1 and first.bpf and first.keyctl > 0 and first.library
    assert _again() == first and len(filters) == 1  # served, nothing imported or built
    assert seccomp._build().bpf == first.bpf  # what building gives now
    filters.clear()
    # other rules: built anew, never the stale program
    monkeypatch.setattr(seccomp, "DENIED", tuple(n for n in seccomp.DENIED if n != "ptrace"))
    fewer = _again()
    assert len(filters) == 1 and fewer.bpf != first.bpf
    monkeypatch.undo()
    assert _again().bpf == first.bpf


@needs_libseccomp
def test_a_filter_from_another_libseccomp_file_is_built_anew(filters: list[seccomp.Program]):
    first = _again()
    made_from = seccomp._made_from()
    assert made_from is not None
    path = first.library.split("\0")[0]
    for library in (f"{path}\0{1}:{2}:{3}:{4}", "/no/libseccomp.so.2\0missing", ""):
        cache.store("seccomp", made_from, marshal.dumps((b"a stale program", 250, library)))
        filters.clear()
        assert _again() == first and len(filters) == 1


@needs_libseccomp
def test_no_cached_filter_without_pyseccomp_to_import(filters: list[seccomp.Program],
                                                      monkeypatch: pytest.MonkeyPatch):
    """Fail closed stays closed: pyseccomp gone, the cache holds a program, none is given."""
    _again()
    monkeypatch.setitem(sys.modules, "pyseccomp", None)
    with pytest.raises(seccomp.SeccompUnavailable):
        _again()


def _distribution(site: Path, name: str, files: list[str], requires: str = "") -> Path:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Name: {name}\n{requires}\n", encoding="utf-8")
    for file in files:
        (site / file).parent.mkdir(parents=True, exist_ok=True)
        (site / file).write_text("", encoding="utf-8")
    (info / "RECORD").write_text("".join(f"{f},,\n" for f in files), encoding="utf-8")
    return info


@pytest.fixture
def site(tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A site folder first on sys.path with a distribution `fakedist` (module `fake`); no
    lookup of this process's own."""
    where = tmp_path / "site"
    _distribution(where, "fakedist", ["fake/__init__.py"])
    monkeypatch.syspath_prepend(str(where))
    packages._resolve.cache_clear()
    yield where
    packages._resolve.cache_clear()


def _look_up(monkeypatch: pytest.MonkeyPatch, read: list[tuple[str, ...]]) -> packages.Visible:
    """As a new grading process would; `read` gets each tuple the distributions were read for."""
    packages._resolve.cache_clear()
    real_closure = packages._closure

    def counting(wanted: tuple[str, ...]) -> list[Path]:
        read.append(wanted)
        return real_closure(wanted)

    with monkeypatch.context() as patch:
        patch.setattr(packages, "_closure", counting)
        return packages._resolve(("fakedist",))


def test_a_package_lookup_is_served_only_while_its_distributions_are_unchanged(
        site: Path, monkeypatch: pytest.MonkeyPatch):
    record = site / "fakedist-1.0.dist-info" / "RECORD"
    record.write_text("fake/__init__.py,,\n" + "x" * 15 + "\n", encoding="utf-8")
    (site / "fake_extra.py").write_text("", encoding="utf-8")  # there, not yet in RECORD
    read: list[tuple[str, ...]] = []
    first = _look_up(monkeypatch, read)
    assert first.modules == ("fake",) and read == [("fakedist",)]
    assert _look_up(monkeypatch, read) == first and len(read) == 1  # served
    # reinstalled in place (no folder changed): another RECORD, another top-level module;
    # never the stale binds, even with the same size and mtime (only its ctime tells)
    before = record.stat()
    record.write_text("fake/__init__.py,,\nfake_extra.py,,\n", encoding="utf-8")
    os.utime(record, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert record.stat().st_size == before.st_size
    assert _look_up(monkeypatch, read).modules == ("fake", "fake_extra") and len(read) == 2
    # a distribution it now requires, installed beside it: read again
    _distribution(site, "fakedep", ["fakedep.py"])
    metadata = site / "fakedist-1.0.dist-info" / "METADATA"
    metadata.write_text("Name: fakedist\nRequires-Dist: fakedep\n", encoding="utf-8")
    assert _look_up(monkeypatch, read).modules == ("fake", "fake_extra", "fakedep")
    assert len(read) == 3
    assert _look_up(monkeypatch, read).modules == ("fake", "fake_extra", "fakedep")
    assert len(read) == 3


def test_each_tuple_of_packages_keeps_its_own_lookup(site: Path, folder: Path):
    _distribution(site, "otherdist", ["other.py"])
    packages._resolve(("fakedist",))
    packages._resolve(("otherdist",))
    assert len([p for p in folder.iterdir() if p.name.startswith("packages-")]) == 2


def test_a_new_lookup_of_a_tuple_replaces_its_entry(site: Path, folder: Path):
    packages._resolve(("fakedist",))
    _distribution(site, "otherdist", ["other.py"])  # the site folder changed: looked up anew
    packages._resolve.cache_clear()
    packages._resolve(("fakedist",))
    assert len([p for p in folder.iterdir() if p.name.startswith("packages-")]) == 1


def test_a_distribution_installed_ahead_on_sys_path_is_found_not_the_cached_one(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    ahead = tmp_path / "ahead"
    ahead.mkdir()
    monkeypatch.syspath_prepend(str(ahead))
    read: list[tuple[str, ...]] = []
    assert _look_up(monkeypatch, read).path == (str(site),)
    _distribution(ahead, "fakedist", ["fake/__init__.py"])  # nothing the lookup read changed
    assert _look_up(monkeypatch, read).path == (str(ahead),) and len(read) == 2


def test_the_bwrap_lookup_follows_an_install_and_a_removal(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch):
    """bwrap is looked up once per PATH, but a server running for days must still see it
    installed (no sandbox until then) or removed (not a cached path that no longer runs)."""
    from grader.sandbox import bwrap

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("GRADER_SANDBOX", raising=False)
    assert bwrap.bwrap_path() is None
    tool = tmp_path / "bwrap"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    assert bwrap.bwrap_path() == str(tool)
    assert bwrap.bwrap_path() == str(tool)
    tool.unlink()
    assert bwrap.bwrap_path() is None
    monkeypatch.setenv("GRADER_SANDBOX", "none")
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    assert bwrap.bwrap_path() is None  # switched off, whatever is installed
