"""A submission's multipart form, parsed while it streams in, with its size capped.

Frameworks' form parsers spool a whole upload to disk before the handler sees it; this one
feeds python-multipart chunk by chunk and stops at the first byte over the cap (413), at a
file name with the wrong extension (422), or when the whole body takes too long (408), so
an oversized or slow upload costs the server neither disk nor a worker for long. The file's
bytes go straight to an `UploadWriter` (hashed on the way); its client-side name is read
only for its extension.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header

from grader.server.uploads import SUFFIXES, Uploads, UploadWriter

FIELD_LIMIT = 1024  # bytes of a plain form field (an assignment id, a CSRF token)
FIELDS = 8


class FormError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    upload: UploadWriter | None = None
    suffix: str = ""


class _Parts:
    """python-multipart's callbacks, building a `Form`."""

    def __init__(self, uploads: Uploads, max_bytes: int) -> None:
        self.uploads, self.max_bytes = uploads, max_bytes
        self.form = Form()
        self.header_field, self.header_value = b"", b""
        self.headers: dict[bytes, bytes] = {}
        self.name, self.buffer, self.is_file = "", bytearray(), False

    def callbacks(self) -> dict:
        return {"on_part_begin": self.part_begin, "on_header_field": self.header_field_data,
                "on_header_value": self.header_value_data, "on_header_end": self.header_end,
                "on_headers_finished": self.headers_finished, "on_part_data": self.data,
                "on_part_end": self.part_end}

    def part_begin(self) -> None:
        self.headers, self.buffer, self.is_file = {}, bytearray(), False

    def header_field_data(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def header_value_data(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def header_end(self) -> None:
        self.headers[self.header_field.lower()] = self.header_value
        self.header_field, self.header_value = b"", b""

    def headers_finished(self) -> None:
        _, params = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.name = params.get(b"name", b"").decode("utf-8", "replace")
        filename = params.get(b"filename")
        if self.name == "file" and filename is not None:
            if self.form.upload is not None:
                raise FormError(422, "one file per submission")
            suffix = next((s for s in SUFFIXES if filename.lower().endswith(s.encode())), "")
            if not suffix:
                raise FormError(422, "the file must be a .py or .ipynb file")
            self.is_file, self.form.suffix = True, suffix
            self.form.upload = self.uploads.writer()

    def data(self, data: bytes, start: int, end: int) -> None:
        if self.is_file:
            assert self.form.upload is not None
            if self.form.upload.size + (end - start) > self.max_bytes:
                raise FormError(413, f"the file is larger than {self.max_bytes} bytes")
            self.form.upload.write(data[start:end])
        else:
            self.buffer += data[start:end]
            if len(self.buffer) > FIELD_LIMIT:
                raise FormError(413, f"form field {self.name!r} is too long")

    def part_end(self) -> None:
        if not self.is_file:
            if len(self.form.fields) >= FIELDS:
                raise FormError(413, "too many form fields")
            self.form.fields[self.name] = self.buffer.decode("utf-8", "replace")


async def read_form(content_type: str, body: AsyncIterator[bytes], uploads: Uploads, *,
                    max_bytes: int, seconds: float) -> Form:
    """Parse the body; the file (if any) is in `form.upload`, not yet committed."""
    kind, params = parse_options_header(content_type)
    if kind != b"multipart/form-data" or b"boundary" not in params:
        raise FormError(422, "send a multipart/form-data body (fields assignment, file)")
    parts = _Parts(uploads, max_bytes)
    parser = MultipartParser(params[b"boundary"], parts.callbacks())
    try:
        async with asyncio.timeout(seconds):
            async for chunk in body:
                parser.write(chunk)
        parser.finalize()
    except TimeoutError:
        _discard(parts.form)
        raise FormError(408, f"the upload took longer than {seconds:g} s") from None
    except FormError:
        _discard(parts.form)
        raise
    except Exception as exc:  # python-multipart's own parse errors
        _discard(parts.form)
        raise FormError(422, f"malformed multipart body: {exc}") from None
    return parts.form


def _discard(form: Form) -> None:
    if form.upload is not None:
        form.upload.discard()
