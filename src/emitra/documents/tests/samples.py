"""Small files made on the fly: good documents and the bad ones an upload must refuse."""

from __future__ import annotations

import io
import os
import zipfile

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)


def png(size: tuple[int, int] = (40, 30), *, text: str = "") -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    info = None
    if text:
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("Comment", text)
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def jpeg(size: tuple[int, int] = (40, 30), *, gps: bool = False) -> bytes:
    image = Image.new("RGB", size, (10, 120, 240))
    out = io.BytesIO()
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "SpyCam Ltd"  # Make
        exif[0x8825] = {1: "N", 2: (26.0, 55.0, 0.0)}  # GPS IFD: latitude of Jaipur
    image.save(out, format="JPEG", exif=exif.tobytes() if gps else b"")
    return out.getvalue()


def noisy_jpeg(size: tuple[int, int] = (500, 500)) -> bytes:
    """A photo that does not compress: noise (about 3 bytes a pixel at quality 95)."""
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


def pdf(pages: int = 1, *, password: str = "", javascript: str = "", launch: str = "") -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if javascript:
        action = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject(javascript),
            }
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    if launch:
        # A link annotation on the first page whose action starts a program.
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject(launch)}
        )
        link = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
                NameObject("/A"): action,
            }
        )
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("evil.js", "alert(1)")
    return out.getvalue()


WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML = b"<html><script>alert(document.cookie)</script></html>"
