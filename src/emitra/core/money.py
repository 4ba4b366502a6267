"""Money is an integer number of paise; Decimal and text only at the edges."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NewType

from babel.numbers import format_currency, format_decimal
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from emitra.core.errors import InvalidInput

Paise = NewType("Paise", int)

PAISE_PER_RUPEE = 100
# ₹1,000 crore: far above any single e-Mitra transaction; stops typos of extra zeros.
MAX_AMOUNT = Paise(1_000_00_00_000 * PAISE_PER_RUPEE)
_AMOUNT = re.compile(
    r"^(?:\d{1,3}(?:,\d{2})*,\d{3}|\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?$", re.ASCII
)
# Operators on a Hindi keyboard type Devanagari digits; they mean the same amount.
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")


def _babel_locale(language: str | None = None) -> str:
    lang = (language or get_language() or "hi").split("-")[0]
    return "en_IN" if lang == "en" else "hi_IN"


def parse_rupees(text: str) -> Paise:
    """Parse what a person typed ("1,23,456.50", "₹ 500", "12.5") into paise.

    Commas are accepted in Indian or international grouping; more than two decimals,
    signs, letters and amounts above MAX_AMOUNT are refused with a translated message.
    """
    cleaned = str(text).strip().replace("₹", "").replace("Rs.", "").replace(" ", "")
    cleaned = cleaned.translate(_DEVANAGARI_DIGITS)
    if not cleaned or not _AMOUNT.match(cleaned):
        raise InvalidInput(
            "money.invalid", _("“%(value)s” is not an amount in rupees.") % {"value": text}
        )
    try:
        value = Decimal(cleaned.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes this
        raise InvalidInput("money.invalid", _("Not an amount in rupees.")) from exc
    paise = int((value * PAISE_PER_RUPEE).to_integral_value(rounding=ROUND_HALF_UP))
    if paise > MAX_AMOUNT:
        raise InvalidInput("money.too_large", _("The amount is too large."))
    return Paise(paise)


def to_rupees(paise: int) -> Decimal:
    return (Decimal(paise) / PAISE_PER_RUPEE).quantize(Decimal("0.01"))


def plain_rupees(paise: int) -> str:
    """'123456.50' — for CSV files, which spreadsheets must read as numbers (no ₹, no commas)."""
    return str(to_rupees(paise))


def format_inr(paise: int, *, language: str | None = None) -> str:
    """₹1,23,45,678.50 — Indian grouping, always two decimals."""
    if not isinstance(paise, int) or isinstance(paise, bool):
        raise TypeError("money is formatted from integer paise")
    return str(format_currency(to_rupees(paise), "INR", locale=_babel_locale(language)))


def format_indian_number(value: int | Decimal, *, language: str | None = None) -> str:
    """12,34,567 — Indian grouping for counts and quantities."""
    return str(format_decimal(value, locale=_babel_locale(language)))
