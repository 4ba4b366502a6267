"""Demo kiosk network for Jaipur: the demo LSP's organisation and five kiosks in different
states, op.jaipur's among them (active, so the demo operator can work at once). Additive and
idempotent: what exists already is left as it is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time

from django.db import transaction

from emitra.accounts import services as accounts
from emitra.accounts.demo import DEMO_PASSWORD
from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.geo.models import District, GramPanchayat, UrbanBody
from emitra.kiosks import services
from emitra.kiosks.models import Kiosk, KioskStatus

LSP_USERNAME = "lsp.jaipur"
SOCIETY_USERNAME = "society.jaipur"


@dataclass(frozen=True)
class DemoKiosk:
    code: str
    name: str
    operator: str  # username
    operator_name: str
    mobile: str
    kiosk_type: str
    category: str
    status: str
    urban: bool = False


KIOSKS = [
    DemoKiosk(
        "JPR-K-0001",
        "Ramesh e-Mitra, Bassi",
        "op.jaipur",
        "Ramesh Kumar",
        "9829000002",
        "assisted",
        "B",
        KioskStatus.ACTIVE,
    ),
    DemoKiosk(
        "JPR-K-0002",
        "Sanganer e-Mitra Plus",
        "op.sanganer",
        "Suresh Saini",
        "9829000021",
        "plus",
        "A",
        KioskStatus.SUSPENDED,
        urban=True,
    ),
    DemoKiosk(
        "JPR-K-0003",
        "Chomu Seva Kendra",
        "op.chomu",
        "Meena Sharma",
        "9829000022",
        "assisted",
        "C",
        KioskStatus.APPROVED,
    ),
    DemoKiosk(
        "JPR-K-0004",
        "Phagi @Home",
        "op.phagi",
        "Gopal Jat",
        "9829000023",
        "home",
        "B",
        KioskStatus.RECOMMENDED,
    ),
    DemoKiosk(
        "JPR-K-0005",
        "Dudu Digital Point",
        "op.dudu",
        "Pooja Kanwar",
        "9829000024",
        "assisted",
        "B",
        KioskStatus.APPLIED,
    ),
]

_ORDER: list[str] = [
    KioskStatus.APPLIED,
    KioskStatus.RECOMMENDED,
    KioskStatus.APPROVED,
    KioskStatus.TRAINED,
    KioskStatus.ACTIVE,
]


_STEP_ACTS: dict[str, Callable[..., Kiosk]] = {
    KioskStatus.RECOMMENDED: services.recommend_kiosk,
    KioskStatus.APPROVED: services.approve_kiosk,
    KioskStatus.TRAINED: services.mark_trained,
    KioskStatus.ACTIVE: services.activate_kiosk,
}


def _operator(spec: DemoKiosk, district: District) -> User:
    found = User.objects.filter(username=spec.operator).first()
    if found is not None:
        return found
    return accounts.create_user(
        username=spec.operator,
        full_name=spec.operator_name,
        role=Role.OPERATOR,
        mobile=spec.mobile,
        password=DEMO_PASSWORD,
        district=district,
    )


@transaction.atomic
def ensure_demo_kiosks() -> list[Kiosk]:
    """Create the demo LSP organisation and kiosks that do not exist yet; returns all five.
    Needs the demo people (lsp.jaipur, society.jaipur) and the geography loaded."""
    lsp_user = User.objects.get(username=LSP_USERNAME)
    society = User.objects.get(username=SOCIETY_USERNAME)
    jaipur = District.objects.get(slug="jaipur")
    services.register_lsp(
        actor=None,
        user=lsp_user,
        name="Jaipur Digital Services",
        district=jaipur,
        existing_ok=True,
    )
    gps = list(GramPanchayat.objects.filter(district=jaipur).order_by("lgd_code")[: len(KIOSKS)])
    town = UrbanBody.objects.filter(district=jaipur).order_by("lgd_code").first()
    result = []
    for index, spec in enumerate(KIOSKS):
        existing = Kiosk.objects.filter(code=spec.code).first()
        if existing is not None:
            result.append(existing)
            continue
        operator = _operator(spec, jaipur)
        if Kiosk.objects.filter(operator=operator).exists():
            continue  # the operator was given another kiosk by hand: leave it
        kiosk = services.apply_kiosk(
            actor=lsp_user,
            code=spec.code,
            name=spec.name,
            kiosk_type=spec.kiosk_type,
            category=spec.category,
            operator=operator,
            gram_panchayat=None if spec.urban else gps[index % len(gps)],
            urban_body=town if spec.urban else None,
            address="Main road, near the panchayat bhawan",
            opens_at=time(9, 0),
            closes_at=time(18, 0),
        )
        target = KioskStatus.ACTIVE if spec.status == KioskStatus.SUSPENDED else spec.status
        steps = _ORDER[1 : _ORDER.index(target) + 1]
        for step in steps:
            actor = lsp_user if step == KioskStatus.RECOMMENDED else society
            kiosk = _STEP_ACTS[step](actor=actor, kiosk=kiosk)
        if spec.status == KioskStatus.SUSPENDED:
            kiosk = services.suspend_kiosk(
                actor=society, kiosk=kiosk, reason="Demo: three overcharging complaints"
            )
        result.append(kiosk)
    return result
