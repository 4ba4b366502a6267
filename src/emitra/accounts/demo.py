"""Demo people, one per role, with development credentials (refused outside EMITRA_DEV)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from emitra.accounts import services
from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.geo.models import District

DEMO_PASSWORD = "demo-emitra-2026"  # noqa: S105 - printed development credential, refused in production
# A fixed TOTP key for demo staff so an evaluator can add it to any authenticator app
# (or use `emitra totp_code <sso-id>`). Base32: JBSWY3DPEHPK3PXP.
DEMO_TOTP_KEY = "48656c6c6f21deadbeef"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    full_name: str
    role: Role
    mobile: str
    district: str | None = None


PEOPLE = [
    DemoPerson("c9829000001", "Sita Devi", Role.CITIZEN, "9829000001", "jaipur"),
    DemoPerson("op.jaipur", "Ramesh Kumar", Role.OPERATOR, "9829000002", "jaipur"),
    DemoPerson("lsp.jaipur", "Jaipur Digital Services", Role.LSP, "9829000003", "jaipur"),
    DemoPerson("society.jaipur", "DeGS Jaipur", Role.DISTRICT_ADMIN, "9829000004", "jaipur"),
    DemoPerson("society.ajmer", "DeGS Ajmer", Role.DISTRICT_ADMIN, "9829000005", "ajmer"),
    DemoPerson("officer.revenue", "Anil Sharma", Role.DEPARTMENT_OFFICER, "9829000006"),
    DemoPerson("officer.phed", "Kavita Meena", Role.DEPARTMENT_OFFICER, "9829000007"),
    DemoPerson("admin.revenue", "Revenue Dept Admin", Role.DEPARTMENT_ADMIN, "9829000008"),
    DemoPerson("partner.demo", "Demo Insurance Ltd", Role.PARTNER, "9829000009"),
    DemoPerson("state.admin", "DoIT&C State Admin", Role.STATE_ADMIN, "9829000010"),
    DemoPerson("auditor.state", "State Auditor", Role.AUDITOR, "9829000011"),
]

DEPARTMENT_OF = {
    "officer.revenue": "revenue",
    "admin.revenue": "revenue",
    "officer.phed": "phed",
}


@transaction.atomic
def ensure_demo_people() -> list[DemoPerson]:
    """Create the demo people that do not exist yet; existing ones are left as they are."""
    created = []
    for person in PEOPLE:
        if User.objects.filter(username=person.username).exists():
            continue
        district = District.objects.get(slug=person.district) if person.district else None
        user = services.create_user(
            username=person.username,
            full_name=person.full_name,
            role=person.role,
            mobile=person.mobile,
            password=None if person.role == Role.CITIZEN else DEMO_PASSWORD,
            district=district,
        )
        if user.needs_totp:
            TOTPDevice.objects.create(user=user, name="demo", key=DEMO_TOTP_KEY, confirmed=True)
        created.append(person)
    return created
