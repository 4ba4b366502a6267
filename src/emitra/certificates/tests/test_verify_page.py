"""The public verify page: anyone may open it; it answers valid / revoked / forged / unknown,
shows only masked data, and checks an uploaded PDF against the issued file."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from emitra.accounts.roles import Role
from emitra.certificates import documents, services, signing
from emitra.certificates.tests.conftest import HOLDER_EN, HOLDER_HI

pytestmark = pytest.mark.django_db
URL = "/certificates/verify/"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def _verdict(response) -> str:
    html = response.content.decode()
    marker = 'data-verdict="'
    return str(html[html.index(marker) + len(marker) :].split('"', 1)[0])


def test_the_qr_url_opens_the_verify_page_and_says_valid(client, issue):
    cert = issue()
    url = documents.verify_url(cert.qr_payload)
    parts = urlsplit(url)
    assert parts.path == reverse("certificates:verify") == URL
    response = client.get(parts.path, {"p": parse_qs(parts.query)["p"][0]})
    assert response.status_code == 200
    assert _verdict(response) == "valid"
    html = response.content.decode()
    assert cert.number in html and "मूल निवास प्रमाण-पत्र" in html
    # minimal data: the name is masked, the fields are not shown at all
    assert HOLDER_EN not in html and HOLDER_HI not in html and "Sm** Pr******" in html
    assert "राजेश" not in html


def test_a_tampered_qr_is_forged(client, issue):
    cert = issue()
    body, _sig = cert.qr_payload.split(".")
    bad_sig = base64.urlsafe_b64encode(b"\x00" * 64).decode().rstrip("=")
    response = client.get(URL, {"p": f"{body}.{bad_sig}"})
    assert _verdict(response) == "forged"
    assert cert.number not in response.content.decode()


def test_a_revoked_certificate_shows_revoked(client, issue, staff_of, revenue):
    cert = issue()
    admin = staff_of(Role.DEPARTMENT_ADMIN, revenue)
    services.revoke_certificate(certificate=cert, by=admin, reason="Issued on a forged affidavit")
    assert _verdict(client.get(URL, {"p": cert.qr_payload})) == "revoked"
    by_number = client.get(URL, {"number": cert.number, "name": HOLDER_EN})
    assert _verdict(by_number) == "revoked"


@pytest.mark.parametrize(
    "name", [HOLDER_EN, HOLDER_EN.upper(), HOLDER_HI, "  श्रीमती  प्रियंका क्षत्रिय "]
)
def test_by_number_and_name_in_either_language(client, issue, name):
    cert = issue()
    assert _verdict(client.get(URL, {"number": cert.number.lower(), "name": name})) == "valid"


def test_a_wrong_name_or_number_is_unknown(client, issue):
    cert = issue()
    assert _verdict(client.get(URL, {"number": cert.number, "name": "Someone Else"})) == "unknown"
    assert _verdict(client.get(URL, {"number": "DOM-2026-27-000000999", "name": HOLDER_EN})) == (
        "unknown"
    )


def test_lookups_by_number_are_rate_limited(client, issue):
    cert = issue()
    from emitra.certificates.views import LOOKUP_LIMIT

    for _ in range(LOOKUP_LIMIT):
        client.get(URL, {"number": "DOM-2026-27-000000999", "name": "x"})
    response = client.get(URL, {"number": cert.number, "name": HOLDER_EN})
    assert response.status_code == 429
    assert "data-verdict" not in response.content.decode()
    # QR look-ups carry a signed payload and are not limited
    assert _verdict(client.get(URL, {"p": cert.qr_payload})) == "valid"


def test_an_uploaded_pdf_is_checked_against_the_issued_file(client, issue):
    cert = issue()
    pdf = cert.pdf.read()
    ok = client.post(
        URL,
        {
            "p": cert.qr_payload,
            "number": cert.number,
            "document": SimpleUploadedFile("c.pdf", pdf, "application/pdf"),
        },
    )
    assert 'data-file="match"' in ok.content.decode()
    altered = pdf.replace(cert.number.encode(), cert.number[:-1].encode() + b"9", 1)
    bad = client.post(
        URL,
        {
            "number": cert.number,
            "name": HOLDER_EN,
            "document": SimpleUploadedFile("c.pdf", altered, "application/pdf"),
        },
    )
    assert 'data-file="mismatch"' in bad.content.decode()


def test_the_public_key_is_published(client, issue):
    response = client.get(reverse("certificates:verify_key"))
    assert response.status_code == 200
    key = response.json()["keys"][0]
    raw = base64.urlsafe_b64decode(key["public_key"] + "=" * (-len(key["public_key"]) % 4))
    assert raw == signing.qr_public_key_raw() and key["kid"] == signing.qr_key_id(raw)
    # an app can check a payload offline with just that key
    from emitra.certificates import payload

    cert = issue()
    assert payload.decode(cert.qr_payload, {key["kid"]: raw}).number == cert.number


def test_the_verify_page_is_in_hindi_by_default(client, issue):
    from django.utils import translation

    client.cookies.pop("emitra_lang", None)
    with translation.override("hi"):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.content.decode().count('lang="hi"') >= 1


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Priyanka Kshatriya", "Pr****** Ks*******"),
        ("श्रीमती प्रियंका क्षत्रिय", "श्री*** प्रि**** क्ष*****"),
        ("Om", "Om"),
    ],
)
def test_names_are_masked_by_whole_syllables(name, masked):
    from emitra.certificates.selectors import mask_name

    assert mask_name(name) == masked


def test_element_ids_are_unique_on_a_result_page(client, issue):
    import re

    cert = issue()
    html = client.get(URL, {"number": cert.number, "name": HOLDER_EN}).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert 'id="id_document"' in html and 'id="id_number"' in html
