from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from emitra.accounts.roles import Role
from emitra.catalog.models import Department
from emitra.catalog.services import assign_department_staff
from emitra.certificates import services
from emitra.geo.models import District

HOLDER_HI = "श्रीमती प्रियंका क्षत्रिय"
HOLDER_EN = "Smt. Priyanka Kshatriya"


@pytest.fixture(autouse=True)
def _english_and_private_media(client, settings, tmp_path):
    """English messages (the tests read msgids; Hindi pages are covered by core's i18n tests)
    and a media folder of the test's own, so no PDF lands in var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    client.cookies["emitra_lang"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def jaipur(db: None) -> District:
    district, _ = District.objects.get_or_create(
        slug="jaipur", defaults={"name_en": "Jaipur", "name_hi": "जयपुर", "lgd_code": 110}
    )
    return district


@pytest.fixture
def ajmer(db: None) -> District:
    district, _ = District.objects.get_or_create(
        slug="ajmer", defaults={"name_en": "Ajmer", "name_hi": "अजमेर", "lgd_code": 99}
    )
    return district


@pytest.fixture
def revenue(db: None) -> Department:
    return Department.objects.create(code="tstrev", name_en="Revenue", name_hi="राजस्व विभाग")


@pytest.fixture
def home(db: None) -> Department:
    return Department.objects.create(code="tsthome", name_en="Home", name_hi="गृह विभाग")


@pytest.fixture
def staff_of(make_user: Callable[..., Any]) -> Callable[..., Any]:
    def make(role: str, department: Department, **extra: Any) -> Any:
        user = make_user(role, **extra)
        assign_department_staff(user=user, department=department)
        return user

    return make


@pytest.fixture
def officer(staff_of, revenue, jaipur) -> Any:
    return staff_of(Role.DEPARTMENT_OFFICER, revenue, full_name="Ramesh Meena")


@pytest.fixture
def issue(officer) -> Callable[..., Any]:
    """issue(**overrides) → a domicile certificate issued by the Revenue officer in Jaipur."""
    counter = iter(range(1, 1000))

    def make(**overrides: Any) -> Any:
        args: dict[str, Any] = {
            "kind": "domicile",
            "application_number": f"APP-2026-27-{next(counter):09d}",
            "holder_name_en": HOLDER_EN,
            "holder_name_hi": HOLDER_HI,
            "fields": {"father_name": "राजेश क्षत्रिय", "address": "वार्ड 5, सांगानेर"},
            "issued_by": officer,
            "district_code": "jaipur",
        }
        args.update(overrides)
        return services.issue_certificate(**args)

    return make
