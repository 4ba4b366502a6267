"""The text layer of a certificate reads as the Hindi it shows (DESIGN.md §7): `pdftotext`
returns the same Devanagari characters in logical order. Extractors may put spaces inside
words (a conjunct split across glyph runs), so the comparison ignores white space."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from emitra.certificates.kinds import KINDS
from emitra.certificates.tests.conftest import HOLDER_EN, HOLDER_HI

pytestmark = pytest.mark.django_db


def _text(pdf: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        if os.environ.get("CI"):
            pytest.fail("pdftotext (poppler-utils) is missing; .ci/run installs it")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return out.stdout.decode("utf-8")


def _squeeze(text: str) -> str:
    return "".join(text.split())


def test_hindi_extracts_as_written(issue, tmp_path):
    cert = issue(
        fields={
            "father_name": "श्री कृष्ण शर्मा",
            "address": "ग्राम पंचायत त्रिवेणी, ज़िला जयपुर",
            "residing_since": "२० वर्ष",
        }
    )
    text = _squeeze(_text(cert.pdf.read(), tmp_path))
    for expected in (
        "मूल निवास प्रमाण-पत्र",
        HOLDER_HI,
        "श्री कृष्ण शर्मा",
        "ग्राम पंचायत त्रिवेणी, ज़िला जयपुर",
        "प्रमाणित किया जाता है कि श्रीमती प्रियंका क्षत्रिय राजस्थान राज्य के मूल निवासी हैं।",
        "राजस्थान सरकार",
        "राजस्व विभाग",
        "जयपुर",
        HOLDER_EN,
        cert.number,
    ):
        assert _squeeze(expected) in text, expected


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_prints_its_title_in_both_languages(issue, tmp_path, kind):
    text = _squeeze(_text(issue(kind=kind).pdf.read(), tmp_path))
    assert _squeeze(KINDS[kind].title.hi) in text
    assert _squeeze(KINDS[kind].title.en) in text


def test_user_text_is_printed_not_interpreted(issue, tmp_path):
    cert = issue(holder_name_en="*Sharma* #panic() $x$", fields={"address": "[link] _a_ <b>"})
    text = _squeeze(_text(cert.pdf.read(), tmp_path))
    assert _squeeze("*Sharma* #panic() $x$") in text
    assert _squeeze("[link] _a_ <b>") in text


def test_fields_the_kind_does_not_list_are_printed_with_readable_labels(issue, tmp_path):
    cert = issue(fields={"date_of_birth": "15-08-1988", "house_number": "12-A"})
    text = _squeeze(_text(cert.pdf.read(), tmp_path))
    assert _squeeze("जन्म तिथि") in text and "15-08-1988" in text
    assert _squeeze("House number") in text and "house_number" not in text


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_templates_compile_without_warnings(kind):
    from django.utils import timezone

    from emitra.certificates import documents
    from emitra.certificates.kinds import Label

    moment = timezone.now()
    content = documents.Content(
        number="DOM-2026-27-000000001",
        kind=kind,
        application_number="APP-1",
        holder_name_en=HOLDER_EN,
        holder_name_hi=HOLDER_HI,
        fields={"address": "जयपुर"},
        issued_on="2026-11-28",
        district="jaipur",
    )
    data = documents.pdf_data(
        content=content,
        qr_payload="x.y",
        department=Label("राजस्व विभाग", "Revenue Department"),
        district=Label("जयपुर", "Jaipur"),
        issuer="Ramesh Meena",
        issued_at=moment,
    )
    assert documents.render(data, kind=kind, created=moment, strict=True).startswith(b"%PDF")
