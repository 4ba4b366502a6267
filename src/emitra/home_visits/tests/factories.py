"""Builders for visit tests: places with blocks, visiting kiosks of each type, a home service."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from emitra.accounts.roles import Role
from emitra.catalog.models import Service
from emitra.catalog.tests import factories as catalog
from emitra.geo.models import Block, District, GramPanchayat
from emitra.home_visits import services, slots
from emitra.home_visits.models import Visit
from emitra.kiosks.models import Kiosk, KioskStatus
from emitra.kiosks.tests import factories as kiosks

_n = itertools.count(1)


def district(slug: str = "jaipur") -> District:
    return kiosks.district(slug)


def block(where: District, name: str = "") -> Block:
    n = next(_n)
    return Block.objects.create(lgd_code=500000 + n, name_en=name or f"Block {n}", district=where)


def gram_panchayat(where: District, in_block: Block | None = None) -> GramPanchayat:
    gp = kiosks.gram_panchayat(where)
    if in_block is not None:
        GramPanchayat.objects.filter(pk=gp.pk).update(block=in_block)
        gp.refresh_from_db()
    return gp


def kiosk(
    where: District,
    *,
    kiosk_type: str = "home",
    gp: GramPanchayat | None = None,
    status: str = KioskStatus.ACTIVE,
    operator: Any = None,
) -> Kiosk:
    """An onboarded kiosk; the type is set directly (onboarding is the kiosks app's concern)."""
    made = kiosks.kiosk(kiosks.lsp(where), status=status, gp=gp, operator=operator)
    Kiosk.objects.filter(pk=made.pk).update(kiosk_type=kiosk_type)
    made.refresh_from_db()
    return made


def home_service(code: str = "domicile-home", **extra: Any) -> Service:
    return catalog.service(code, **{"channels": ["kiosk", "home"], **extra})


def citizen(where: District | None = None, **extra: Any) -> Any:
    return kiosks.user(Role.CITIZEN, where, **extra)


def tomorrow() -> date:
    return slots.today_ist() + timedelta(days=1)


def book(actor: Any, where: District, service: Service, **extra: Any) -> Visit:
    values: dict[str, Any] = {
        "address": "12, Gandhi Nagar",
        "pin": "302015",
        "day": tomorrow(),
        "slot": "10-12",
        **extra,
    }
    return services.book_visit(actor=actor, service=service, district=where, **values)
