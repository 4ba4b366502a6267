"""The PAdES signature: pyHanko's own validator accepts what we issue against our CA, and
rejects a file changed inside the signed bytes, a file changed by an incremental update, and
our file checked against a different CA."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from emitra.certificates import signing

pytestmark = pytest.mark.django_db


def _status(pdf: bytes, paths=None):
    sig = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    return validate_pdf_signature(sig, signer_validation_context=signing.validation_context(paths))


def test_the_signature_validates_against_the_ca(issue):
    pdf = issue().pdf.read()
    reader = PdfFileReader(io.BytesIO(pdf))
    (sig,) = reader.embedded_signatures
    assert sig.sig_object["/SubFilter"] == SigSeedSubFilter.PADES.value
    status = validate_pdf_signature(sig, signer_validation_context=signing.validation_context())
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.bottom_line
    assert "e-Mitra Certificate Signing" in status.signing_cert.subject.human_friendly
    assert signing.check_pdf_signature(pdf).ok


def test_changing_a_signed_byte_breaks_the_signature(issue):
    cert = issue()
    pdf = cert.pdf.read()
    number = cert.number.encode()
    at = pdf.index(number)  # the number in the document's metadata, inside the signed range
    tampered = pdf[:at] + b"X" + pdf[at + 1 :]
    assert len(tampered) == len(pdf)
    status = _status(tampered)
    assert not status.intact
    assert not status.bottom_line
    assert not signing.check_pdf_signature(tampered).ok


def test_an_incremental_update_that_draws_on_the_page_is_caught(issue):
    pdf = issue().pdf.read()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    # Paint a white box over the page (hiding, say, the caste) in a later revision.
    overlay = writer.add_object(
        generic.StreamObject(stream_data=b"q 1 1 1 rg 50 300 500 200 re f Q")
    )
    writer.add_stream_to_page(0, overlay)
    out = io.BytesIO()
    writer.write(out)
    altered = out.getvalue()
    status = _status(altered)
    assert status.intact  # the signed revision itself is untouched ...
    assert status.coverage != SignatureCoverageLevel.ENTIRE_FILE  # ... but more was added
    assert status.modification_level == ModificationLevel.OTHER
    assert not status.bottom_line
    check = signing.check_pdf_signature(altered)
    assert check.intact and not check.covers_whole_file and not check.ok


def test_a_pdf_signed_under_another_ca_is_not_trusted(issue, tmp_path):
    pdf = issue().pdf.read()
    other = signing.SigningPaths(
        key=tmp_path / "k.pem",
        cert=tmp_path / "c.pem",
        ca_cert=tmp_path / "ca.pem",
        qr_key=tmp_path / "q.pem",
        passphrase=None,
    )
    signing.create_development_keys(other)
    status = _status(pdf, other)
    assert status.intact and not status.trusted
    assert not signing.check_pdf_signature(pdf, paths=other).ok


def test_not_a_pdf_is_not_signed():
    check = signing.check_pdf_signature(b"MZ\x90\x00 not a pdf")
    assert not check.signed and not check.ok
