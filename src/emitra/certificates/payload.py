"""The QR payload: a compact, Ed25519-signed statement of what the certificate says.

Format (version 1): `base64url(json) "." base64url(signature)`, where the JSON is the array
`[1, key_id, number, kind, issue_date, holder_name_en, content_sha256]` without spaces. It is
short enough for a version-10 QR at level M and needs nothing but the published public key to
check, so a verifier app can work offline.

Why a hash of the *content* and not of the PDF file: the QR is printed inside the PDF, so it
cannot carry the hash of the file it is part of. It carries the SHA-256 of the certificate's
canonical content (`content_digest`) instead; the hash of the signed PDF file is kept in the
database and compared when someone uploads the file on the verify page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

VERSION = 1
MAX_LENGTH = 1200  # a payload longer than this is refused before decoding


@dataclass(frozen=True)
class Payload:
    key_id: str
    number: str
    kind: str
    issued_on: str  # ISO date (IST)
    holder_name: str
    content_sha256: str  # hex

    def as_list(self) -> list[Any]:
        return [
            VERSION,
            self.key_id,
            self.number,
            self.kind,
            self.issued_on,
            self.holder_name,
            self.content_sha256,
        ]


class BadPayload(ValueError):
    """Not a payload we could have made: malformed, unknown key, or a signature that fails."""


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _b64d(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise BadPayload("not base64url") from exc


def content_digest(content: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of a certificate's content (sorted keys, UTF-8)."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def encode(payload: Payload, key: ed25519.Ed25519PrivateKey) -> str:
    body = json.dumps(payload.as_list(), ensure_ascii=False, separators=(",", ":")).encode()
    return f"{_b64e(body)}.{_b64e(key.sign(body))}"


def decode(text: str, public_keys: dict[str, bytes]) -> Payload:
    """Check the signature with the key the payload names and return its content.

    `public_keys` maps key ids to raw Ed25519 public keys. Raises BadPayload for anything that
    does not verify — the verify page calls that "forged".
    """
    text = (text or "").strip()
    if not text or len(text) > MAX_LENGTH or text.count(".") != 1:
        raise BadPayload("malformed")
    body_b64, sig_b64 = text.split(".")
    body, signature = _b64d(body_b64), _b64d(sig_b64)
    try:
        items = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadPayload("not JSON") from exc
    if (
        not isinstance(items, list)
        or len(items) != 7
        or items[0] != VERSION
        or not all(isinstance(v, str) for v in items[1:])
    ):
        raise BadPayload("unexpected shape")
    raw = public_keys.get(items[1])
    if raw is None:
        raise BadPayload("unknown key")
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(raw).verify(signature, body)
    except (InvalidSignature, ValueError) as exc:
        raise BadPayload("bad signature") from exc
    return Payload(*items[1:])
