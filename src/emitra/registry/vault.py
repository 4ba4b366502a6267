"""The Aadhaar vault: the only place an Aadhaar number exists, and only encrypted.

Everything else refers to a number by an opaque token (``VaultEntry.token``). The number is
encrypted with MultiFernet over ``settings.AADHAAR_VAULT_KEYS`` (the first key encrypts, every
key decrypts, so keys rotate: put a new key first, run ``emitra registry_rotate_vault``, then
drop the old one). Duplicates are found through a keyed HMAC (a separate key) that is unique in
the table — a plain hash of a 12-digit number with a known check digit could be brute-forced
in minutes. People see only the last four digits: ``XXXX XXXX 1234``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from emitra.core.errors import InvalidInput
from emitra.core.verhoeff import is_valid


class InvalidAadhaar(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "registry.invalid_aadhaar",
            _("This is not a valid Aadhaar number: enter the 12 digits as printed on the card."),
        )


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise RuntimeError("AADHAAR_VAULT_KEYS is empty")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.AADHAAR_VAULT_KEYS))


def clean_aadhaar(raw: str) -> str:
    """12 digits (spaces and dashes allowed), not starting with 0 or 1, Verhoeff-valid."""
    digits = re.sub(r"[\s-]", "", raw or "")
    if not (len(digits) == 12 and digits.isascii() and digits.isdigit() and digits[0] not in "01"):
        raise InvalidAadhaar()
    if not is_valid(digits):
        raise InvalidAadhaar()
    return digits


def fingerprint(number: str) -> str:
    """Keyed HMAC-SHA256 of the number: equal numbers, equal fingerprints; nothing else leaks."""
    key = settings.AADHAAR_HMAC_KEY.encode()
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a key was dropped before rotation finished
        raise RuntimeError("vault entry cannot be decrypted with the configured keys") from exc


def rotate(ciphertext: str) -> str:
    """The same plaintext encrypted under the first (current) key."""
    return fernet().rotate(ciphertext.encode()).decode()


def masked(last4: str) -> str:
    return f"XXXX XXXX {last4}" if len(last4) == 4 else "XXXX XXXX XXXX"


def masked_account(last4: str) -> str:
    return f"XXXXXX{last4}" if last4 else ""
