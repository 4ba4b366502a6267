"""The machine app's settings, with defaults (override in settings or the environment)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings


def idle_seconds() -> int:
    """A citizen's session is wiped after this long without a touch."""
    return int(getattr(settings, "MACHINE_IDLE_SECONDS", 60))


def heartbeat_seconds() -> int:
    return int(getattr(settings, "MACHINE_HEARTBEAT_SECONDS", 60))


def offline_seconds() -> int:
    """A machine silent for longer than this is listed as offline."""
    return int(getattr(settings, "MACHINE_OFFLINE_SECONDS", 180))


def voucher_days() -> int:
    """A refund voucher can be paid out at a counter for this many days after it was issued."""
    return int(getattr(settings, "MACHINE_VOUCHER_DAYS", 180))


def voucher_misses() -> int:
    """Codes matching no voucher that one machine (or one counter operator) may type within
    `voucher_miss_window()` before every code is refused there for the rest of the window."""
    return max(1, int(getattr(settings, "MACHINE_VOUCHER_MISSES", 5)))


def voucher_miss_window() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "MACHINE_VOUCHER_MISS_WINDOW_SECONDS", 900)))
