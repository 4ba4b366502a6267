"""Template filters for money, numbers, IST dates and masked personal numbers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django import template

from emitra.core import masking, money, timeutil

register = template.Library()


@register.filter
def inr(paise: int | None) -> str:
    """{{ amount_paise|inr }} → ₹1,23,45,678.50"""
    return "" if paise is None else money.format_inr(int(paise))


@register.filter
def indian_number(value: int | Decimal | None) -> str:
    return "" if value is None else money.format_indian_number(value)


@register.filter
def ist(moment: datetime | None) -> str:
    return timeutil.format_ist(moment)


@register.filter
def ist_date(moment: datetime | None) -> str:
    return timeutil.format_ist(moment, with_time=False)


@register.filter
def mask_mobile(number: str | None) -> str:
    return masking.mask_mobile(number or "")


@register.filter
def mask_aadhaar(number: str | None) -> str:
    return masking.mask_aadhaar(number or "")
