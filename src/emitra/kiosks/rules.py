"""Thresholds of the network's rules, each overridable in settings (KIOSK_*)."""

from __future__ import annotations

from django.conf import settings


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def inactivity_min_transactions() -> int:
    """An active kiosk with fewer ledger transactions than this in a month is flagged."""
    return _setting("KIOSK_INACTIVITY_MIN_TRANSACTIONS", 10)


def complaint_sla_days() -> int:
    """Days a district has to close a complaint before it shows as overdue."""
    return _setting("KIOSK_COMPLAINT_SLA_DAYS", 7)


def offender_upheld_complaints() -> int:
    """Upheld complaints within the window that flag a kiosk as a repeat offender."""
    return _setting("KIOSK_OFFENDER_UPHELD_COMPLAINTS", 3)


def offender_window_days() -> int:
    return _setting("KIOSK_OFFENDER_WINDOW_DAYS", 90)


def complaints_per_receipt() -> int:
    """At most this many complaints about one receipt within the rate-limit window."""
    return _setting("KIOSK_COMPLAINTS_PER_RECEIPT", 2)


def complaint_window_hours() -> int:
    return _setting("KIOSK_COMPLAINT_WINDOW_HOURS", 24)
