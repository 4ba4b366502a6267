"""Reads for doorstep visits: who may see which visit, the lists of each role, and the ranking
of kiosks that could take a visit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from emitra.accounts.roles import STATEWIDE_ROLES, Role
from emitra.catalog.models import Channel, Service
from emitra.catalog.selectors import offered_services
from emitra.home_visits import slots
from emitra.home_visits.models import OPEN_STATES, Visit
from emitra.kiosks.models import Kiosk, KioskStatus, KioskType
from emitra.kiosks.selectors import kiosk_of_operator

# Kiosk types that may be sent to a doorstep, best first.
VISITING_TYPES = (KioskType.HOME, KioskType.ASSISTED)


def home_services() -> list[Service]:
    """Offered services open on the @Home channel (filtered in Python: JSON `contains` is not
    available on SQLite, and the catalog is a few hundred rows)."""
    return [s for s in offered_services() if Channel.HOME in (s.channels or [])]


def home_service(code: str) -> Service | None:
    return next((s for s in home_services() if s.code == code), None)


# --- assignment ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    kiosk: Kiosk
    tier: int  # 0 same GP/urban body, 1 same block, 2 same district
    load: int  # open visits already in the slot

    @property
    def has_room(self) -> bool:
        return self.load < slots.capacity()


def slot_load(kiosk: Kiosk, day: date, slot: str) -> int:
    return Visit.objects.filter(kiosk=kiosk, day=day, slot=slot, state__in=OPEN_STATES).count()


def candidates(
    *,
    district: Any,
    block: Any = None,
    gram_panchayat: Any = None,
    urban_body: Any = None,
    day: date,
    slot: str,
) -> list[Candidate]:
    """Active visiting kiosks of the district, nearest first, then @Home agents before assisted
    kiosks, then the least loaded in the slot; full ones are kept (the caller skips them)."""
    rows = (
        Kiosk.objects.filter(district=district, status=KioskStatus.ACTIVE)
        .filter(kiosk_type__in=VISITING_TYPES)
        .select_related("gram_panchayat", "urban_body", "operator")
        .annotate(
            load=Count(
                "home_visits",
                filter=Q(
                    home_visits__day=day,
                    home_visits__slot=slot,
                    home_visits__state__in=OPEN_STATES,
                ),
            )
        )
    )
    found = []
    for kiosk in rows:
        if (gram_panchayat is not None and kiosk.gram_panchayat_id == gram_panchayat.pk) or (
            urban_body is not None and kiosk.urban_body_id == urban_body.pk
        ):
            tier = 0
        elif block is not None and block.pk in (
            kiosk.block_id,
            kiosk.gram_panchayat.block_id if kiosk.gram_panchayat else None,
        ):
            tier = 1
        else:
            tier = 2
        found.append(Candidate(kiosk=kiosk, tier=tier, load=kiosk.load))
    found.sort(
        key=lambda c: (c.tier, VISITING_TYPES.index(c.kiosk.kiosk_type), c.load, c.kiosk.code)
    )
    return found


# --- who sees what ---------------------------------------------------------------------------


def visible_visits(user: Any) -> QuerySet[Visit]:
    base = Visit.objects.select_related(
        "service", "district", "kiosk", "gram_panchayat", "urban_body"
    )
    role = getattr(user, "role", None)
    if role in STATEWIDE_ROLES:
        return base
    if role == Role.DISTRICT_ADMIN:
        return base.filter(district_id=user.district_id) if user.district_id else base.none()
    if role == Role.OPERATOR:
        kiosk = kiosk_of_operator(user)
        mine = Q(booked_by=user)
        if kiosk is not None:
            mine |= Q(kiosk=kiosk)
        return base.filter(mine)
    if role == Role.CITIZEN:
        return base.filter(citizen=user)
    return base.none()


def visit_for(user: Any, number: str) -> Visit:
    found = visible_visits(user).filter(number=number.upper()).first()
    if found is None:
        raise Http404(number)
    return found


@dataclass(frozen=True)
class VisitFilters:
    day_from: date | None = None
    day_to: date | None = None
    state: str = ""
    slot: str = ""
    kiosk: str = ""
    district: str = ""
    q: str = ""


def filtered(rows: QuerySet[Visit], filters: VisitFilters) -> QuerySet[Visit]:
    if filters.day_from:
        rows = rows.filter(day__gte=filters.day_from)
    if filters.day_to:
        rows = rows.filter(day__lte=filters.day_to)
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.slot:
        rows = rows.filter(slot=filters.slot)
    if filters.kiosk:
        rows = rows.filter(kiosk__code__iexact=filters.kiosk)
    if filters.district:
        rows = rows.filter(district__slug=filters.district)
    if filters.q:
        rows = rows.filter(Q(number__iexact=filters.q) | Q(citizen_name__icontains=filters.q))
    return rows.order_by("day", "slot", "id")


def operator_visits(user: Any, filters: VisitFilters) -> QuerySet[Visit]:
    """The visits assigned to the operator's kiosk (not those they only booked for someone)."""
    kiosk = kiosk_of_operator(user)
    if kiosk is None:
        return Visit.objects.none()
    return filtered(visible_visits(user).filter(kiosk=kiosk), filters)


def district_visits(user: Any, filters: VisitFilters) -> QuerySet[Visit]:
    return filtered(visible_visits(user), filters)


def own_visits(user: Any) -> QuerySet[Visit]:
    return visible_visits(user).filter(citizen=user).order_by("-day", "-slot", "-id")
