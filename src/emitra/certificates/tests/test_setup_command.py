"""`emitra certificates_ca`: creates the development keys once, never replaces them, and in
production only checks that the configured files exist."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from emitra.certificates import signing


@pytest.fixture
def where(tmp_path, settings):
    settings.CERT_SIGNING_KEY = str(tmp_path / "s" / "key.pem")
    settings.CERT_SIGNING_CERT = str(tmp_path / "s" / "cert.pem")
    settings.CERT_CA_CERT = str(tmp_path / "s" / "ca.pem")
    settings.CERT_QR_KEY = str(tmp_path / "s" / "qr.pem")
    return tmp_path / "s"


def test_development_keys_are_created_once(where, settings):
    settings.DEV = True
    call_command("certificates_ca", verbosity=0)
    files = {p.name: p.read_bytes() for p in where.iterdir()}
    assert set(files) == {"key.pem", "cert.pem", "ca.pem", "qr.pem"}
    assert (where / "key.pem").stat().st_mode & 0o077 == 0  # private keys are not world-readable
    call_command("certificates_ca", verbosity=0)
    assert {p.name: p.read_bytes() for p in where.iterdir()} == files


def test_a_partial_set_is_not_repaired(where, settings):
    settings.DEV = True
    call_command("certificates_ca", verbosity=0)
    (where / "ca.pem").unlink()
    with pytest.raises(CommandError, match="incomplete"):
        call_command("certificates_ca", verbosity=0)


def test_production_never_generates_keys(where, settings):
    settings.DEV = False
    with pytest.raises(CommandError, match="CERT_SIGNING_KEY"):
        call_command("certificates_ca", verbosity=0)
    assert not where.exists()


def test_an_encrypted_signing_key_loads_with_its_passphrase(where, settings):
    settings.CERT_SIGNING_KEY_PASSPHRASE = "correct horse battery"
    paths = signing.configured_paths()
    signing.create_development_keys(paths)
    assert b"ENCRYPTED" in paths.key.read_bytes()
    signed = signing.sign_pdf(_blank_pdf(), reason="test", location="Jaipur", paths=paths)
    assert signing.check_pdf_signature(signed, paths=paths).ok


def test_missing_files_are_reported_clearly(where):
    with pytest.raises(signing.SigningNotConfigured, match="certificates_ca"):
        signing.pdf_signer()


def _blank_pdf() -> bytes:
    from emitra.core.pdf import render_pdf

    return render_pdf("core/document.typ", {"title": {"hi": "परीक्षण", "en": "Test"}})


def test_the_deploy_check_names_missing_signing_files(where, settings):
    from emitra.certificates.apps import signing_files_exist

    settings.DEV = False
    (error,) = signing_files_exist()
    assert error.id == "certificates.E001"
    settings.DEV = True
    call_command("certificates_ca", verbosity=0)
    settings.DEV = False
    assert signing_files_exist() == []
