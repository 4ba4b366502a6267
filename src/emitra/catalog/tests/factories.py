"""Small catalog objects for tests: one department, head, category, service and version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from emitra.catalog.models import (
    Category,
    ChargeRule,
    Department,
    PublishStatus,
    RateCard,
    RevenueHead,
    Service,
    ServiceStatus,
    ServiceType,
    ServiceVersion,
    VersionFee,
)
from emitra.core.timeutil import IST

SINCE = datetime(2020, 9, 1, tzinfo=IST)
ALL_CHANNELS = ["kiosk", "machine", "home", "portal", "app"]


def department(code: str = "revenue", **extra: Any) -> Department:
    values = {"name_en": f"{code} department", "name_hi": f"{code} विभाग", **extra}
    found, _ = Department.objects.update_or_create(code=code, defaults=values)
    return found


def head(code: str = "revenue-fee", dept: Department | None = None) -> RevenueHead:
    found, _ = RevenueHead.objects.get_or_create(
        code=code,
        defaults={
            "department": dept or department(),
            "name_en": f"{code} head",
            "name_hi": f"{code} मद",
        },
    )
    return found


def category(code: str = "certificates") -> Category:
    found, _ = Category.objects.get_or_create(
        code=code, defaults={"name_en": code.title(), "name_hi": "प्रमाण-पत्र"}
    )
    return found


def rate_card(**extra: Any) -> RateCard:
    values = {"status": PublishStatus.PUBLISHED, "effective_from": SINCE, **extra}
    return RateCard.objects.create(**values)


def service(code: str = "domicile", dept: Department | None = None, **extra: Any) -> Service:
    values = {
        "department": dept or department(),
        "category": category(),
        "service_type": ServiceType.G2C,
        "name_en": "Domicile certificate",
        "name_hi": "मूल निवास प्रमाण-पत्र",
        "channels": ALL_CHANNELS,
        "status": ServiceStatus.ACTIVE,
        **extra,
    }
    return Service.objects.create(code=code, **values)


def version(
    svc: Service,
    *,
    number: int = 1,
    fees: list[tuple[RevenueHead, int]] = (),  # type: ignore[assignment]
    status: str = PublishStatus.PUBLISHED,
    effective_from: datetime = SINCE,
    **extra: Any,
) -> ServiceVersion:
    values = {"charge_rule": ChargeRule.G2C_APPLICATION, **extra}
    created = ServiceVersion.objects.create(
        service=svc, number=number, status=status, effective_from=effective_from, **values
    )
    for n, (revenue_head, amount) in enumerate(fees):
        VersionFee.objects.create(
            version=created, revenue_head=revenue_head, amount=amount, sort_order=n
        )
    return created
