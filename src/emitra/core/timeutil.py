"""Times are stored in UTC and shown in IST; the financial year runs April to March."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

IST = ZoneInfo("Asia/Kolkata")


def to_ist(moment: datetime) -> datetime:
    return moment.astimezone(IST)


def financial_year(moment: datetime | None = None) -> str:
    """'2026-27' for any moment from 1 April 2026 to 31 March 2027 (IST)."""
    local = to_ist(moment or timezone.now())
    start = local.year if local.month >= 4 else local.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def format_ist(moment: datetime | None, *, with_time: bool = True) -> str:
    """28-11-2026 18:45 IST — the day-first form used on Indian government receipts."""
    if moment is None:
        return ""
    local = to_ist(moment)
    return local.strftime("%d-%m-%Y %H:%M IST" if with_time else "%d-%m-%Y")
