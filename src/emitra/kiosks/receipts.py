"""Find a receipt by its number, for the public feedback pages, without importing its maker.

Receipts are issued by the apps that take money (bill payments, applications); they sit above
this app, so they register a lookup here in their AppConfig.ready:

    from emitra.kiosks.receipts import ReceiptRef, register_lookup
    register_lookup(my_lookup)  # my_lookup(number) -> ReceiptRef | None

`find_receipt` asks each lookup in turn and returns the first answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.urls import reverse

MAX_NUMBER_LENGTH = 40


@dataclass(frozen=True)
class ReceiptRef:
    """What the feedback page needs to know about a receipt; either kiosk_code or operator_id
    names who served the citizen."""

    number: str
    kiosk_code: str | None
    operator_id: int | None
    service_name_en: str
    service_name_hi: str
    amount: int  # paise
    issued_at: datetime
    # Where the citizen follows the matter up (an application's tracking page), or "".
    track_url: str = ""


Lookup = Callable[[str], "ReceiptRef | None"]
_LOOKUPS: list[Lookup] = []


def register_lookup(fn: Lookup) -> Lookup:
    """Add a lookup (idempotent: registering the same function twice keeps one)."""
    if fn not in _LOOKUPS:
        _LOOKUPS.append(fn)
    return fn


def unregister_lookup(fn: Lookup) -> None:
    if fn in _LOOKUPS:
        _LOOKUPS.remove(fn)


def find_receipt(number: str) -> ReceiptRef | None:
    number = (number or "").strip()
    if not number or len(number) > MAX_NUMBER_LENGTH:
        return None
    for lookup in list(_LOOKUPS):
        found = lookup(number)
        if found is not None:
            return found
    return None


def public_url(path: str) -> str:
    """`path` made absolute with the public origin printed in receipts' QR codes and SMS
    (settings.KIOSK_FEEDBACK_ORIGIN)."""
    origin = str(settings.KIOSK_FEEDBACK_ORIGIN)
    return origin.rstrip("/") + path


def feedback_url(number: str) -> str:
    """The absolute link where a citizen rates or complains about receipt `number`."""
    return public_url(reverse("feedback:receipt", args=[number]))
