"""Fixtures: a small piece of geography, an operator and the Jaipur verifier, Aadhaar numbers
that pass Verhoeff, and an enrolled (approved) family."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from django.utils import translation

from emitra.accounts.roles import Role
from emitra.core.models import OutboxMessage, OutboxStatus
from emitra.core.verhoeff import check_digit
from emitra.geo.models import Block, District, GramPanchayat, UrbanBody
from emitra.registry import services
from emitra.registry.models import Family
from emitra.registry.services import FamilyInput, MemberInput

_bodies = itertools.count(23_456_789_010)


def aadhaar_number() -> str:
    """A fresh Verhoeff-valid 12-digit number (never a real person's: test range)."""
    body = str(next(_bodies))
    return body + check_digit(body)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def geo(db: None) -> dict[str, Any]:
    jaipur, _ = District.objects.get_or_create(
        slug="jaipur", defaults={"name_en": "Jaipur", "name_hi": "जयपुर"}
    )
    ajmer, _ = District.objects.get_or_create(
        slug="ajmer", defaults={"name_en": "Ajmer", "name_hi": "अजमेर"}
    )
    block = Block.objects.create(lgd_code=900001, name_en="Sanganer", district=jaipur)
    gp = GramPanchayat.objects.create(
        lgd_code=910001,
        name_en="Muhana",
        panchayat_samiti_code=1,
        panchayat_samiti_name="Sanganer",
        block=block,
        district=jaipur,
    )
    ajmer_gp = GramPanchayat.objects.create(
        lgd_code=910002,
        name_en="Kishangarh Rural",
        panchayat_samiti_code=2,
        panchayat_samiti_name="Kishangarh",
        district=ajmer,
    )
    town = UrbanBody.objects.create(
        lgd_code=920001, name_en="Jaipur Greater", body_type="corporation", district=jaipur
    )
    return {
        "jaipur": jaipur,
        "ajmer": ajmer,
        "block": block,
        "gp": gp,
        "ajmer_gp": ajmer_gp,
        "town": town,
    }


@pytest.fixture
def operator(make_user: Callable[..., Any], geo: dict[str, Any]) -> Any:
    return make_user(Role.OPERATOR, full_name="Ramesh Kumar", district=geo["jaipur"])


@pytest.fixture
def verifier(make_user: Callable[..., Any], geo: dict[str, Any]) -> Any:
    return make_user(Role.DISTRICT_ADMIN, full_name="DeGS Jaipur", district=geo["jaipur"])


def family_input(geo: dict[str, Any], **changes: Any) -> FamilyInput:
    values: dict[str, Any] = {
        "mobile": "9829055501",
        "district": geo["jaipur"],
        "block": geo["block"],
        "gram_panchayat": geo["gp"],
        "address": "Ward 4, near the temple",
        "pincode": "303301",
    }
    values.update(changes)
    return FamilyInput(**values)


def member_input(**changes: Any) -> MemberInput:
    values: dict[str, Any] = {
        "name_en": "Sita Devi",
        "name_hi": "सीता देवी",
        "relative_name_en": "Ram Prasad",
        "gender": "female",
        "date_of_birth": date(1960, 3, 14),
        "relation": "head",
        "category": "obc",
        "marital_status": "widowed",
        "occupation": "homemaker",
        "annual_income": 30_000_00,
        "aadhaar": aadhaar_number(),
        "bank_account": "33001234567890",
        "ifsc": "SBIN0001234",
    }
    values.update(changes)
    return MemberInput(**values)


@pytest.fixture
def enrol(operator: Any, verifier: Any, geo: dict[str, Any]) -> Callable[..., Family]:
    """enrol(*members, **family_fields) → an approved family."""

    def make(*members: MemberInput, **family_fields: Any) -> Family:
        change = services.submit_enrolment(
            operator=operator,
            family=family_input(geo, **family_fields),
            members=list(members) or [member_input()],
        )
        change = services.approve_change(verifier=verifier, change=change)
        assert change.family is not None
        return change.family

    return make


def queued_code(mobile: str) -> str:
    """The OTP in the not-yet-sent SMS (the only place it exists in clear)."""
    message = OutboxMessage.objects.filter(
        topic="notifications.sms", status=OutboxStatus.PENDING, payload__to=mobile
    ).latest("id")
    return str(message.payload["params"]["code"])
