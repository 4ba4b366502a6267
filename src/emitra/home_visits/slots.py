"""The doorstep time slots and the visit charge: settings, so a district can widen its hours
without a code change. Defaults are four two-hour slots of 10:00–18:00 IST."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from emitra.core.money import Paise
from emitra.core.timeutil import IST, to_ist

DEFAULT_SLOTS: list[tuple[str, str, str]] = [
    ("10-12", "10:00", "12:00"),
    ("12-14", "12:00", "14:00"),
    ("14-16", "14:00", "16:00"),
    ("16-18", "16:00", "18:00"),
]


@dataclass(frozen=True)
class Slot:
    code: str
    starts: time
    ends: time

    @property
    def label(self) -> str:
        return f"{self.starts:%H:%M}–{self.ends:%H:%M}"


def _time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def all_slots() -> list[Slot]:
    raw: Any = getattr(settings, "HOME_VISIT_SLOTS", DEFAULT_SLOTS)
    return [Slot(code=c, starts=_time(s), ends=_time(e)) for c, s, e in raw]


def slot(code: str) -> Slot | None:
    return next((s for s in all_slots() if s.code == code), None)


def slot_choices() -> list[tuple[str, str]]:
    return [(s.code, s.label) for s in all_slots()]


def capacity() -> int:
    """How many visits one operator takes in one slot."""
    return int(getattr(settings, "HOME_VISIT_SLOT_CAPACITY", 2))


def booking_days() -> int:
    """How far ahead a visit may be booked."""
    return int(getattr(settings, "HOME_VISIT_BOOKING_DAYS", 30))


def visit_charge() -> Paise:
    """The rate card has no doorstep charge (catalog.RateCard): the setting is the source."""
    return Paise(int(getattr(settings, "HOME_VISIT_CHARGE_PAISE", 50_00)))


def starts_at(day: date, code: str) -> datetime:
    """The slot's start as an aware IST moment."""
    found = slot(code)
    assert found is not None
    return datetime.combine(day, found.starts, tzinfo=IST)


def today_ist() -> date:
    return to_ist(timezone.now()).date()


def last_day() -> date:
    return today_ist() + timedelta(days=booking_days())
