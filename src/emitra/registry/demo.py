"""Demo families in Jaipur, enrolled by op.jaipur and approved by society.jaipur through the
same services as the kiosk. Additive and idempotent: a family whose head's Aadhaar is already
in the vault is left as it is. The first family's mobile is the demo citizen's, so logging in
as that citizen shows the family and who read its data (/registry/my-family/)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from emitra.accounts.models import User
from emitra.core.verhoeff import check_digit
from emitra.geo.models import District, GramPanchayat, UrbanBody
from emitra.registry import services, vault
from emitra.registry.models import Family, VaultEntry
from emitra.registry.services import FamilyInput, MemberInput


def demo_aadhaar(body: str) -> str:
    """A Verhoeff-valid 12-digit number from 11 digits (demo data only, never a real one)."""
    return body + check_digit(body)


@dataclass(frozen=True)
class DemoFamily:
    mobile: str
    urban: bool
    address: str
    members: list[MemberInput]


def _families() -> list[DemoFamily]:
    return [
        DemoFamily(
            "9829000001",
            False,
            "Ward 4, near the temple",
            [
                MemberInput(
                    name_en="Sita Devi",
                    name_hi="सीता देवी",
                    relative_name_en="Late Ram Prasad",
                    relative_name_hi="स्व. राम प्रसाद",
                    gender="female",
                    date_of_birth=date(1962, 3, 14),
                    relation="head",
                    category="obc",
                    marital_status="widowed",
                    occupation="homemaker",
                    annual_income=18_000_00,
                    aadhaar=demo_aadhaar("29990000101"),
                    bank_account="33001234567890",
                    ifsc="SBIN0001234",
                ),
                MemberInput(
                    name_en="Mohan Lal",
                    name_hi="मोहन लाल",
                    relative_name_en="Late Ram Prasad",
                    relative_name_hi="स्व. राम प्रसाद",
                    gender="male",
                    date_of_birth=date(1990, 7, 1),
                    relation="son",
                    category="obc",
                    marital_status="married",
                    occupation="farmer",
                    annual_income=24_000_00,
                    disability_percent=45,
                    aadhaar=demo_aadhaar("29990000102"),
                ),
            ],
        ),
        DemoFamily(
            "9829000021",
            True,
            "House 12, Gali 3, Sanganer",
            [
                MemberInput(
                    name_en="Kamla Bai",
                    name_hi="कमला बाई",
                    relative_name_en="Late Suresh Meghwal",
                    relative_name_hi="स्व. सुरेश मेघवाल",
                    gender="female",
                    date_of_birth=date(1988, 11, 20),
                    relation="head",
                    category="sc",
                    marital_status="widowed",
                    occupation="labourer",
                    annual_income=40_000_00,
                    aadhaar=demo_aadhaar("29990000201"),
                ),
                MemberInput(
                    name_en="Raju Meghwal",
                    name_hi="राजू मेघवाल",
                    relative_name_en="Late Suresh Meghwal",
                    relative_name_hi="स्व. सुरेश मेघवाल",
                    gender="male",
                    date_of_birth=date(2009, 5, 2),
                    relation="son",
                    category="sc",
                    marital_status="unmarried",
                    occupation="student",
                    aadhaar=demo_aadhaar("29990000202"),
                ),
                MemberInput(
                    name_en="Pooja Meghwal",
                    name_hi="पूजा मेघवाल",
                    relative_name_en="Late Suresh Meghwal",
                    relative_name_hi="स्व. सुरेश मेघवाल",
                    gender="female",
                    date_of_birth=date(2014, 8, 9),
                    relation="daughter",
                    category="sc",
                    marital_status="unmarried",
                    occupation="student",
                    aadhaar=demo_aadhaar("29990000203"),
                ),
            ],
        ),
    ]


@transaction.atomic
def ensure_demo_families() -> list[Family]:
    """Enrol and approve the demo families not yet in the register; returns all of them."""
    operator = User.objects.filter(username="op.jaipur").first()
    verifier = User.objects.filter(username="society.jaipur").first()
    jaipur = District.objects.filter(slug="jaipur").first()
    if operator is None or verifier is None or jaipur is None:
        return []
    gp = (
        GramPanchayat.objects.filter(district=jaipur, block__isnull=False)
        .order_by("lgd_code")
        .first()
    )
    town = UrbanBody.objects.filter(district=jaipur).order_by("lgd_code").first()
    families = []
    for demo in _families():
        head = demo.members[0]
        entry = VaultEntry.objects.filter(fingerprint=vault.fingerprint(head.aadhaar)).first()
        if entry is not None and hasattr(entry, "member"):
            families.append(entry.member.family)
            continue
        if (demo.urban and town is None) or (not demo.urban and gp is None):
            continue
        change = services.submit_enrolment(
            operator=operator,
            family=FamilyInput(
                mobile=demo.mobile,
                district=jaipur,
                block=None if demo.urban else gp.block if gp else None,
                gram_panchayat=None if demo.urban else gp,
                urban_body=town if demo.urban else None,
                address=demo.address,
                pincode="302029" if demo.urban else "303301",
            ),
            members=[head],
        )
        change = services.approve_change(verifier=verifier, change=change)
        assert change.family is not None
        for member in demo.members[1:]:
            added = services.submit_new_member(
                operator=operator, family=change.family, member=member
            )
            services.approve_change(verifier=verifier, change=added)
        families.append(change.family)
    return families
