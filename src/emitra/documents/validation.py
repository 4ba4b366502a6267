"""Is an upload really a PDF, JPEG or PNG — and nothing else besides?

A file's name and the browser's Content-Type are never trusted. The first bytes must be one
of the three signatures, the whole file must parse (Pillow for images, pypdf for PDFs), and
there must be nothing hiding around it: no bytes after a JPEG's end-of-image marker or a PNG's
IEND chunk, none before ``%PDF-`` or after the last ``%%EOF``, no ZIP directory (a file that is
both a PDF and a ZIP/JAR/DOCX is a polyglot) and no active PDF content (JavaScript, launch
actions, embedded files, forms that submit). Encrypted PDFs are refused: an officer could not
open them. Images are then re-encoded, which drops EXIF (GPS position, camera serial) and any
other metadata.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from emitra.core.errors import InvalidInput
from emitra.documents.models import DocumentKind

PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE: Final = b"\xff\xd8\xff"
PDF_SIGNATURE: Final = b"%PDF-"
# PDF keys (and action types, /S) that make a document act rather than show (ISO 32000
# §12.6, §12.7, §7.11). /OpenAction and /AA stay allowed: they usually name a page to open at,
# and any action they carry is caught by its type.
ACTIVE_PDF_KEYS: Final = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/XFA",
        "/SubmitForm",
        "/ImportData",
        "/GoToE",
        "/GoToR",
        "/RichMediaExecute",
    }
)
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_ACTIVE_RAW = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|SubmitForm|ImportData)\b"
)
_MAX_PDF_OBJECTS: Final = 50_000


class DocumentRefused(InvalidInput):
    """The upload is not an acceptable document; nothing was stored."""

    def __init__(self, code: str, message: Any) -> None:
        super().__init__(f"documents.{code}", message)


@dataclass(frozen=True)
class CheckedFile:
    """A document that passed every check, with the bytes to store (re-encoded for images)."""

    kind: DocumentKind
    data: bytes
    pages: int
    original_sha256: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def max_bytes() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_BYTES", 5 * 1024 * 1024))


def max_pages() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_PAGES", 20))


def _kind_of(head: bytes) -> DocumentKind | None:
    if head.startswith(PDF_SIGNATURE):
        return DocumentKind.PDF
    if head.startswith(JPEG_SIGNATURE):
        return DocumentKind.JPEG
    if head.startswith(PNG_SIGNATURE):
        return DocumentKind.PNG
    return None


def _wrong_type() -> DocumentRefused:
    return DocumentRefused("wrong_type", _("Upload a PDF, JPEG or PNG file."))


def _polyglot() -> DocumentRefused:
    return DocumentRefused(
        "polyglot",
        _(
            "This file carries something besides the document (it may be unsafe). "
            "Scan or save it again."
        ),
    )


def read_upload(upload: UploadedFile, *, limit: int | None = None) -> bytes:
    """The upload's bytes, refusing an empty or oversized one without reading it all."""
    limit = max_bytes() if limit is None else limit
    if upload.size is not None and upload.size > limit:
        raise _too_big(limit)
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if not data:
        raise DocumentRefused("empty", _("The file is empty."))
    if len(data) > limit:
        raise _too_big(limit)
    return bytes(data)


def _too_big(limit: int) -> DocumentRefused:
    return DocumentRefused(
        "too_big", _("The file is larger than %(size)s.") % {"size": filesizeformat(limit)}
    )


def check_bytes(
    data: bytes, *, accept: frozenset[str] | None = None, limit: int | None = None
) -> CheckedFile:
    """Check `data` (see the module docstring); raises `DocumentRefused` with a clear message."""
    limit = max_bytes() if limit is None else limit
    if not data:
        raise DocumentRefused("empty", _("The file is empty."))
    if len(data) > limit:
        raise _too_big(limit)
    kind = _kind_of(data[:16])
    narrowed = accept is not None and not set(DocumentKind.values) <= accept
    if kind is None and not narrowed:
        raise _wrong_type()
    if accept is not None and (kind is None or kind.value not in accept):
        names = ", ".join(sorted(k.upper() for k in accept))
        raise DocumentRefused(
            "type_not_accepted", _("Upload a %(types)s file here.") % {"types": names}
        )
    assert kind is not None
    original = hashlib.sha256(data).hexdigest()
    if _is_zip(data):
        raise _polyglot()
    if kind == DocumentKind.PDF:
        pages = _check_pdf(data)
        return CheckedFile(kind=kind, data=data, pages=pages, original_sha256=original)
    if kind == DocumentKind.JPEG:
        _check_jpeg_structure(data)
    else:
        _check_png_structure(data)
    return CheckedFile(kind=kind, data=_reencode(data, kind), pages=1, original_sha256=original)


def check_upload(upload: UploadedFile, *, accept: frozenset[str] | None = None) -> CheckedFile:
    return check_bytes(read_upload(upload), accept=accept)


def _is_zip(data: bytes) -> bool:
    # ZIP readers find the central directory from the end of the file, whatever comes first.
    if b"PK\x05\x06" not in data[-66_000:]:
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return bool(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


# --- images ------------------------------------------------------------------------------------


def _check_png_structure(data: bytes) -> None:
    """Walk the chunks: the file must end exactly with the IEND chunk."""
    pos = len(PNG_SIGNATURE)
    while True:
        if pos + 8 > len(data):
            raise DocumentRefused("damaged", _("The image is damaged or incomplete."))
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        chunk_type = data[pos + 4 : pos + 8]
        pos += 12 + length
        if pos > len(data):
            raise DocumentRefused("damaged", _("The image is damaged or incomplete."))
        if chunk_type == b"IEND":
            break
    if data[pos:]:
        raise _polyglot()


def _check_jpeg_structure(data: bytes) -> None:
    """Walk the markers to the end-of-image marker; nothing may follow it."""
    pos = 2
    size = len(data)
    while pos < size:
        if data[pos] != 0xFF:
            raise DocumentRefused("damaged", _("The image is damaged or incomplete."))
        while pos < size and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= size:
            break
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            if data[pos:].strip(b"\x00"):
                raise _polyglot()
            return
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if pos + 2 > size:
            break
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        pos += length
        if marker == 0xDA:  # start of scan: skip entropy-coded data to the next real marker
            while pos < size - 1:
                if (
                    data[pos] == 0xFF
                    and data[pos + 1] != 0x00
                    and not 0xD0 <= data[pos + 1] <= 0xD7
                ):
                    break
                pos += 1
    raise DocumentRefused("damaged", _("The image is damaged or incomplete."))


def _reencode(data: bytes, kind: DocumentKind) -> bytes:
    """Decode fully and encode again: the stored image carries pixels only, no metadata."""
    damaged = DocumentRefused("damaged", _("The image is damaged or incomplete."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                if (image.format or "").lower() != ("jpeg" if kind == DocumentKind.JPEG else "png"):
                    raise _wrong_type()
                image.load()
                out = io.BytesIO()
                if kind == DocumentKind.JPEG:
                    rgb = image if image.mode in ("RGB", "L") else image.convert("RGB")
                    rgb.save(out, format="JPEG", quality=90, optimize=True)
                else:
                    keep = (
                        image
                        if image.mode in ("RGB", "RGBA", "L", "LA", "P", "1")
                        else image.convert("RGBA")
                    )
                    keep.save(out, format="PNG", optimize=True)
    except DocumentRefused:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise damaged from exc
    return out.getvalue()


# --- PDFs --------------------------------------------------------------------------------------


def _check_pdf(data: bytes) -> int:
    """Pages of a plain, unencrypted PDF without active content; raises otherwise."""
    tail = data.rstrip(b"\r\n\t\x00 ")
    if not tail.endswith(b"%%EOF"):
        raise _polyglot()
    unescaped = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
    if _PDF_ACTIVE_RAW.search(unescaped):
        raise _active_pdf()
    damaged = DocumentRefused("damaged", _("The PDF is damaged and cannot be read."))
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise DocumentRefused(
                "encrypted",
                _("The PDF is protected by a password. Upload a copy without a password."),
            )
        pages = len(reader.pages)
        _walk_pdf(reader.trailer)
    except DocumentRefused:
        raise
    except (
        PdfReadError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        OSError,
        RecursionError,
    ) as exc:
        raise damaged from exc
    if pages < 1:
        raise damaged
    if pages > max_pages():
        raise DocumentRefused(
            "too_many_pages",
            _("The PDF has %(pages)s pages; at most %(max)s are allowed.")
            % {"pages": pages, "max": max_pages()},
        )
    return pages


def _active_pdf() -> DocumentRefused:
    return DocumentRefused(
        "active_pdf",
        _(
            "The PDF contains scripts, attachments or actions. "
            "Print it to a plain PDF and upload that."
        ),
    )


def _walk_pdf(root: Any) -> None:
    """Every object reachable from the trailer (compressed object streams included, which a
    byte search cannot see): refuse active keys and action types."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            ref = (item.idnum, item.generation)
            if ref in seen:
                continue
            seen.add(ref)
            visited += 1
            if visited > _MAX_PDF_OBJECTS:
                raise DocumentRefused("damaged", _("The PDF is damaged and cannot be read."))
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                if str(key) in ACTIVE_PDF_KEYS:
                    raise _active_pdf()
                if (
                    str(key) == "/S"
                    and isinstance(value, NameObject)
                    and str(value) in ACTIVE_PDF_KEYS
                ):
                    raise _active_pdf()
                if str(key) != "/Parent":
                    stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
