"""Reads for the machine admin: machines with last-seen, online or offline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.machines import conf
from emitra.machines.models import Machine


@dataclass(frozen=True)
class MachineFilters:
    status: str = ""  # "", "online", "offline"
    district: str = ""
    q: str = ""


def offline_since(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(seconds=conf.offline_seconds())


def is_offline(machine: Machine, now: datetime | None = None) -> bool:
    return machine.last_seen_at is None or machine.last_seen_at < offline_since(now)


def machines_for(user: User, filters: MachineFilters) -> QuerySet[Machine]:
    """State admins see every machine, district admins their district's."""
    rows = Machine.objects.select_related("kiosk", "kiosk__district").order_by("kiosk__code")
    if user.role == Role.DISTRICT_ADMIN:
        rows = rows.filter(kiosk__district=user.district)
    elif filters.district:
        rows = rows.filter(kiosk__district__slug=filters.district)
    if filters.q:
        rows = rows.filter(
            Q(kiosk__code__icontains=filters.q) | Q(kiosk__name__icontains=filters.q)
        )
    cutoff = offline_since()
    if filters.status == "offline":
        rows = rows.filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=cutoff))
    elif filters.status == "online":
        rows = rows.filter(last_seen_at__gte=cutoff)
    return rows
