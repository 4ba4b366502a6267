"""Gapless numbers per series and financial year: RCP-2026-27-000000123.

The counter row is incremented inside the caller's transaction, so a rolled-back receipt gives
its number back and the next one reuses it — the series never skips. The price is that two
writers of the same series queue on one row; that is the point of "gapless".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils.translation import gettext_lazy as _

from emitra.core.errors import InvalidInput
from emitra.core.timeutil import financial_year

_SERIES = re.compile(r"^[A-Z]{2,12}$")
_NUMBER = re.compile(r"^([A-Z]{2,12})-(\d{4}-\d{2})-(\d{9})$")


@dataclass(frozen=True)
class IssuedNumber:
    series: str
    period: str
    value: int

    @property
    def text(self) -> str:
        return f"{self.series}-{self.period}-{self.value:09d}"

    def __str__(self) -> str:
        return self.text


def next_number(series: str, *, at: datetime | None = None) -> IssuedNumber:
    """Issue the next number of `series` in the financial year of `at` (default: now)."""
    if not _SERIES.match(series):
        raise ValueError(f"series code must be 2-12 capital letters, got {series!r}")
    if not connection.in_atomic_block:
        raise RuntimeError("next_number must run inside transaction.atomic (gapless)")
    period = financial_year(at)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_idseries (series, period, last_value) VALUES (%s, %s, 0) "
            "ON CONFLICT (series, period) DO NOTHING",
            [series, period],
        )
        cursor.execute(
            "UPDATE core_idseries SET last_value = last_value + 1 "
            "WHERE series = %s AND period = %s RETURNING last_value",
            [series, period],
        )
        row = cursor.fetchone()
    assert row is not None
    return IssuedNumber(series=series, period=period, value=int(row[0]))


def parse_number(text: str) -> IssuedNumber:
    """Parse a printed number; malformed ones are refused with a translated message."""
    match = _NUMBER.match((text or "").strip().upper())
    if not match:
        raise InvalidInput(
            "ids.malformed", _("“%(value)s” is not a valid e-Mitra number.") % {"value": text}
        )
    return IssuedNumber(series=match[1], period=match[2], value=int(match[3]))
