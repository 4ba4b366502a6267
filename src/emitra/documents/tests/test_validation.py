"""Uploads are recognised by content, and anything besides a plain PDF, JPEG or PNG is refused
with a clear message — before a single byte is stored."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from emitra.documents.models import Document, DocumentKind
from emitra.documents.services import open_document, store_document
from emitra.documents.tests import samples
from emitra.documents.validation import DocumentRefused, check_bytes, check_upload


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def refused(data: bytes, **kwargs: object) -> DocumentRefused:
    with pytest.raises(DocumentRefused) as caught:
        check_bytes(data, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_a_pdf_a_jpeg_and_a_png_are_accepted_with_their_page_count():
    assert check_bytes(samples.pdf(pages=3)).pages == 3
    assert check_bytes(samples.pdf()).kind == DocumentKind.PDF
    assert check_bytes(samples.jpeg()).kind == DocumentKind.JPEG
    assert check_bytes(samples.png()).kind == DocumentKind.PNG


def test_a_renamed_executable_is_refused_whatever_its_name_says():
    upload = SimpleUploadedFile("aadhaar.pdf", samples.WINDOWS_EXE, content_type="application/pdf")
    with pytest.raises(DocumentRefused) as caught:
        check_upload(upload)
    assert caught.value.code == "documents.wrong_type"
    assert str(caught.value.message) == "Upload a PDF, JPEG or PNG file."


def test_html_named_as_an_image_is_refused():
    assert refused(samples.HTML).code == "documents.wrong_type"


def test_an_empty_file_is_refused():
    upload = SimpleUploadedFile("photo.jpg", b"", content_type="image/jpeg")
    with pytest.raises(DocumentRefused) as caught:
        check_upload(upload)
    assert caught.value.code == "documents.empty"
    assert str(caught.value.message) == "The file is empty."


def test_an_oversized_file_is_refused_with_the_limit(settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    big = samples.pdf(pages=40)
    assert len(big) > 1024
    error = refused(big)
    assert error.code == "documents.too_big"
    assert "1.0\xa0KB" in str(error.message) or "1.0 KB" in str(error.message)


def test_a_pdf_with_too_many_pages_is_refused(settings):
    settings.DOCUMENT_MAX_PAGES = 2
    error = refused(samples.pdf(pages=3))
    assert error.code == "documents.too_many_pages"
    assert "3 pages" in str(error.message)


def test_an_encrypted_pdf_is_refused():
    error = refused(samples.pdf(password="secret"))
    assert error.code == "documents.encrypted"
    assert "password" in str(error.message)


def test_a_pdf_with_javascript_is_refused():
    assert refused(samples.pdf(javascript="app.alert(1)")).code == "documents.active_pdf"


def test_a_pdf_with_a_hex_escaped_javascript_name_is_refused():
    data = samples.pdf().replace(b"%%EOF", b"% /J#61vaScript\n%%EOF")
    assert refused(data).code == "documents.active_pdf"


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: samples.png() + samples.zip_bytes(), id="png-then-zip"),
        pytest.param(lambda: samples.jpeg() + samples.HTML, id="jpeg-then-html"),
        pytest.param(lambda: samples.png() + samples.HTML, id="png-then-html"),
        pytest.param(lambda: samples.pdf() + samples.zip_bytes(), id="pdf-then-zip"),
        pytest.param(lambda: samples.pdf() + b"\n<script>alert(1)</script>\n", id="pdf-then-html"),
    ],
)
def test_a_polyglot_is_refused(make):
    assert refused(make()).code == "documents.polyglot"


def test_data_before_the_pdf_header_is_refused():
    error = refused(samples.HTML + samples.pdf())
    assert error.code == "documents.wrong_type"


def test_a_truncated_image_is_refused():
    data = samples.png(size=(200, 200))
    assert refused(data[: len(data) // 2]).code == "documents.damaged"


def test_a_type_the_field_does_not_accept_is_refused():
    error = refused(samples.pdf(), accept=frozenset({"jpeg", "png"}))
    assert error.code == "documents.type_not_accepted"
    assert str(error.message) == "Upload a JPEG, PNG file here."


def test_a_jpeg_is_re_encoded_without_its_exif_location():
    original = samples.jpeg(gps=True)
    assert Image.open(io.BytesIO(original)).getexif()
    checked = check_bytes(original)
    assert checked.data != original
    assert not Image.open(io.BytesIO(checked.data)).getexif()
    assert b"SpyCam" not in checked.data


def test_a_png_is_re_encoded_without_its_text_chunks():
    checked = check_bytes(samples.png(text="lat=26.9,lon=75.8"))
    assert b"lat=26.9" not in checked.data
    assert Image.open(io.BytesIO(checked.data)).size == (40, 30)


def test_a_stored_document_is_kept_under_a_random_name_with_its_hash(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    checked = check_bytes(samples.pdf())
    document = store_document(checked=checked, original_name="../../etc/passwd.pdf")
    assert "passwd" not in document.file.name
    assert document.file.name.startswith("documents/")
    with open_document(document) as handle:
        assert handle.read() == checked.data
    assert Document.objects.get().sha256 == checked.sha256


def test_active_content_is_found_in_the_objects_even_where_a_byte_search_cannot_see_it(
    monkeypatch,
):
    """Names inside compressed object streams are invisible to a byte search; the walk over
    the parsed objects still finds them."""
    from emitra.documents import validation

    monkeypatch.setattr(validation, "_PDF_ACTIVE_RAW", re.compile(rb"(?!x)x"))
    assert refused(samples.pdf(javascript="app.alert(1)")).code == "documents.active_pdf"
    assert refused(samples.pdf(launch="calc.exe")).code == "documents.active_pdf"
