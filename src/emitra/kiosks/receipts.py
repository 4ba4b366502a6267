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
