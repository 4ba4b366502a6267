"""Small builders for kiosk tests: geography rows, an LSP, a kiosk in any status."""

from __future__ import annotations

import itertools
from typing import Any

from emitra.accounts import services as accounts
from emitra.accounts.roles import Role
from emitra.geo.models import District, GramPanchayat, UrbanBody, UrbanBodyType
from emitra.kiosks import services
from emitra.kiosks.models import LSP, Kiosk, KioskStatus

_n = itertools.count(1)

# The order the onboarding acts move a kiosk through, with who acts.
PATH = [
    (KioskStatus.RECOMMENDED, "lsp", services.recommend_kiosk),
    (KioskStatus.APPROVED, "district", services.approve_kiosk),
    (KioskStatus.TRAINED, "district", services.mark_trained),
    (KioskStatus.ACTIVE, "district", services.activate_kiosk),
]


def district(slug: str, **extra: Any) -> District:
    found, _ = District.objects.get_or_create(
        slug=slug,
        defaults={"name_en": slug.title(), "name_hi": slug, "status": "pre_2023", **extra},
    )
    return found


def gram_panchayat(where: District, name: str = "") -> GramPanchayat:
    n = next(_n)
    return GramPanchayat.objects.create(
        lgd_code=100000 + n,
        name_en=name or f"GP {n}",
        panchayat_samiti_code=9000 + n,
        panchayat_samiti_name=f"Samiti {n}",
        district=where,
    )


def urban_body(where: District, name: str = "") -> UrbanBody:
    n = next(_n)
    return UrbanBody.objects.create(
        lgd_code=200000 + n,
        name_en=name or f"Town {n}",
        name_hi="",
        body_type=UrbanBodyType.BOARD,
        district=where,
    )


def user(role: str, where: District | None = None, **extra: Any) -> Any:
    n = next(_n)
    return accounts.create_user(
        username=extra.pop("username", f"{role.replace('_', '-')}.k{n}"),
        full_name=extra.pop("full_name", f"Kiosk test {role} {n}"),
        role=Role(role),
        mobile=extra.pop("mobile", f"97{n:08d}"),
        password="correct-horse-42",
        district=where,
        **extra,
    )


def lsp(where: District) -> LSP:
    login = user(Role.LSP, where)
    return services.register_lsp(
        actor=None, user=login, name=f"LSP of {where.slug} {login.pk}", district=where
    )


def kiosk(
    provider: LSP,
    *,
    status: str = KioskStatus.APPLIED,
    district_admin: Any = None,
    code: str = "",
    gp: GramPanchayat | None = None,
    operator: Any = None,
    category: str = "B",
) -> Kiosk:
    """A kiosk applied for by `provider`, then moved through onboarding up to `status`."""
    where = provider.district
    made = services.apply_kiosk(
        actor=provider.user,
        code=code or f"K-{next(_n):04d}",
        name="Test kiosk",
        kiosk_type="assisted",
        category=category,
        operator=operator or user(Role.OPERATOR, where),
        gram_panchayat=gp or gram_panchayat(where),
    )
    if status == KioskStatus.APPLIED:
        return made
    admin = district_admin or user(Role.DISTRICT_ADMIN, where)
    for target, who, act in PATH:
        made = act(actor=provider.user if who == "lsp" else admin, kiosk=made)
        if target == status or (
            status in (KioskStatus.SUSPENDED, KioskStatus.TERMINATED)
            and target == KioskStatus.ACTIVE
        ):
            break
    if status == KioskStatus.SUSPENDED:
        made = services.suspend_kiosk(actor=admin, kiosk=made, reason="test")
    elif status == KioskStatus.TERMINATED:
        made = services.terminate_kiosk(actor=admin, kiosk=made, reason="test")
    return made
