"""The uploads folder: files named by their SHA-256, never by what the client called them.

`uploads/ab/abcdef....py`: the suffix is one of the two accepted ones, checked before a
byte is stored, so no client-chosen text ever becomes part of a path. A file is written to a
temporary name in the same folder, flushed to disk, then renamed: a crash leaves either the
whole file or none, and two uploads of the same bytes share one file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

SUFFIXES = (".py", ".ipynb")


class Uploads:
    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "tmp").mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str, suffix: str) -> Path:
        if suffix not in SUFFIXES or len(sha256) != 64 or not all(
                c in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not an upload name: {sha256!r} {suffix!r}")
        return self.root / sha256[:2] / f"{sha256}{suffix}"

    def writer(self) -> UploadWriter:
        return UploadWriter(self)


class UploadWriter:
    """Bytes in as they arrive, hashed on the way; `commit` puts them in place."""

    def __init__(self, uploads: Uploads) -> None:
        self.uploads = uploads
        fd, name = tempfile.mkstemp(dir=uploads.root / "tmp", prefix="upload-")
        self.file = os.fdopen(fd, "wb")
        self.temp = Path(name)
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.hash.update(data)
        self.size += len(data)

    def commit(self, suffix: str) -> tuple[str, Path]:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        sha = self.hash.hexdigest()
        target = self.uploads.path(sha, suffix)
        target.parent.mkdir(exist_ok=True)
        os.replace(self.temp, target)
        return sha, target

    def discard(self) -> None:
        if not self.file.closed:
            self.file.close()
        self.temp.unlink(missing_ok=True)
