"""Offline checks for outsiders: the CA certificate is published (and explained on the verify
page), and `emitra certificates_verify FILE` says whether a PDF's signature is valid and by
whom, exiting non-zero when it is not."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from emitra.certificates import signing

pytestmark = pytest.mark.django_db
CA_URL = "/certificates/verify/ca.pem"


def verify(*args: str) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("certificates_verify", *args, stdout=out)
    except CommandError as refused:
        return out.getvalue(), refused
    return out.getvalue(), None


def test_anyone_downloads_the_ca_certificate_the_signatures_chain_to(client):
    response = client.get(CA_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-pem-file"
    assert 'filename="emitra-ca.pem"' in response["Content-Disposition"]
    assert response.content == signing.configured_paths().ca_cert.read_bytes()
    assert response.content.startswith(b"-----BEGIN CERTIFICATE-----")
    assert b"PRIVATE KEY" not in response.content


def test_the_verify_page_links_the_ca_certificate_and_explains_the_offline_check(client):
    page = client.get("/certificates/verify/").content.decode()
    assert f'href="{CA_URL}"' in page
    assert "Check the signature offline" in page
    assert "pyhanko sign validate --pretty-print --trust emitra-ca.pem" in page
    assert signing.ca_info().sha256 in page


def test_the_verify_page_still_opens_in_hindi(client):
    client.cookies["emitra_lang"] = "hi"
    page = client.get("/certificates/verify/")
    assert page.status_code == 200
    assert f'href="{CA_URL}"' in page.content.decode()


def test_a_signed_certificate_is_valid_and_names_its_signer(issue, tmp_path):
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(issue().pdf.read())
    out, refused = verify(str(pdf))
    assert refused is None
    assert out.startswith(f"VALID: {pdf}")
    assert "Signed by: " in out and "e-Mitra Certificate Signing" in out
    assert signing.ca_info().sha256 in out


def test_the_published_ca_file_is_enough_to_check(client, issue, tmp_path):
    ca = tmp_path / "emitra-ca.pem"
    ca.write_bytes(client.get(CA_URL).content)
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(issue().pdf.read())
    out, refused = verify(str(pdf), "--ca", str(ca))
    assert refused is None and out.startswith("VALID")


def test_a_tampered_certificate_is_not_valid_and_the_command_fails(issue, tmp_path):
    cert = issue()
    original = cert.pdf.read()
    at = original.index(cert.number.encode())  # inside the signed bytes
    pdf = tmp_path / "tampered.pdf"
    pdf.write_bytes(original[:at] + b"X" + original[at + 1 :])
    out, refused = verify(str(pdf))
    assert refused is not None and refused.returncode == 1
    assert out.startswith(f"NOT VALID: {pdf}")
    assert "the signed content was changed" in out


def test_a_certificate_checked_against_another_ca_is_not_valid(issue, tmp_path):
    other = signing.SigningPaths(
        key=tmp_path / "k.pem",
        cert=tmp_path / "c.pem",
        ca_cert=tmp_path / "ca.pem",
        qr_key=tmp_path / "q.pem",
        passphrase=None,
    )
    signing.create_development_keys(other)
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(issue().pdf.read())
    out, refused = verify(str(pdf), "--ca", str(other.ca_cert))
    assert refused is not None
    assert "does not chain to the trusted certificate authority" in out


def test_a_file_that_is_not_a_signed_pdf_is_not_valid(tmp_path):
    path = tmp_path / "photo.pdf"
    path.write_bytes(b"%PDF-1.7\n% not really\n")
    out, refused = verify(str(path))
    assert refused is not None
    assert "the file is not a signed PDF" in out


def test_a_missing_file_is_a_clear_error(tmp_path: Path):
    _out, refused = verify(str(tmp_path / "nowhere.pdf"))
    assert refused is not None and "no such file" in str(refused)
