"""QR payloads: only ours verify, and any change to one makes it forged."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from emitra.certificates import payload, selectors
from emitra.certificates.selectors import Verdict

pytestmark = pytest.mark.django_db


def _parts(text: str) -> tuple[list[Any], bytes]:
    body, sig = text.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return json.loads(base64.urlsafe_b64decode(pad(body))), base64.urlsafe_b64decode(pad(sig))


def _join(items: list[Any], sig: bytes) -> str:
    enc = lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")  # noqa: E731
    return enc(json.dumps(items, separators=(",", ":")).encode()) + "." + enc(sig)


def test_a_genuine_payload_verifies_and_names_the_certificate(issue):
    cert = issue()
    items, _sig = _parts(cert.qr_payload)
    assert items[2] == cert.number and items[3] == "domicile"
    assert items[5] == cert.holder_name_en and items[6] == cert.content_sha256
    result = selectors.verify_payload(cert.qr_payload)
    assert result.verdict == Verdict.VALID and result.certificate == cert


@pytest.mark.parametrize("index", [2, 3, 4, 5, 6])
def test_an_altered_field_is_forged(issue, index):
    cert = issue()
    other = issue(application_number="APP-OTHER")
    items, sig = _parts(cert.qr_payload)
    items[index] = {2: other.number, 3: "caste", 4: "2020-01-01", 5: "Someone Else"}.get(
        index, "0" * 64
    )
    assert selectors.verify_payload(_join(items, sig)).verdict == Verdict.FORGED


def test_a_payload_signed_with_another_key_is_forged(issue):
    cert = issue()
    items, _sig = _parts(cert.qr_payload)
    body = json.dumps(items, separators=(",", ":")).encode()
    forged = _join(items, ed25519.Ed25519PrivateKey.generate().sign(body))
    assert selectors.verify_payload(forged).verdict == Verdict.FORGED


@pytest.mark.parametrize("text", ["", "abc", "a.b.c", "!!!.???", "x" * 5000, "e30.AAAA"])
def test_garbage_is_forged(text):
    assert selectors.verify_payload(text).verdict == Verdict.FORGED


def test_a_genuine_payload_for_a_number_we_do_not_hold_is_unknown(issue):
    from emitra.certificates import signing

    raw = signing.qr_public_key_raw()
    text = payload.encode(
        payload.Payload(
            signing.qr_key_id(raw),
            "DOM-2026-27-000009999",
            "domicile",
            "2026-11-28",
            "Nobody",
            "0" * 64,
        ),
        signing.qr_private_key(),
    )
    assert selectors.verify_payload(text).verdict == Verdict.UNKNOWN


def test_content_digest_is_canonical():
    a = payload.content_digest({"b": "श्री", "a": [1, 2]})
    b = payload.content_digest({"a": [1, 2], "b": "श्री"})
    assert a == b and len(a) == 64
