"""A Revenue department with the domicile-certificate service as the catalog ships it (form,
documents, workflow ref), a funded operator in Jaipur, officers in and out of scope, and
`submit`/`files` helpers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from conftest import give_kiosk
from emitra.accounts.roles import Role
from emitra.applications import services
from emitra.applications.models import Application
from emitra.applications.tests.factories import certificate_form, form_data, fund, good_files
from emitra.catalog.models import Department, DocumentType, Service, ServiceDocument
from emitra.catalog.services import assign_department_staff
from emitra.catalog.tests import factories
from emitra.geo.models import Block, District


@pytest.fixture(autouse=True)
def _english_and_private_media(client, settings, tmp_path):
    """English messages (tests read msgids) and a media folder of the test's own."""
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
def sanganer(jaipur: District) -> Block:
    block, _ = Block.objects.get_or_create(
        lgd_code=990001, defaults={"district": jaipur, "name_en": "Sanganer"}
    )
    return block


@pytest.fixture
def revenue(db: None) -> Department:
    return factories.department("revenue", name_en="Revenue", name_hi="राजस्व विभाग")


@pytest.fixture
def domicile(revenue: Department) -> Service:
    factories.rate_card()
    fee_head = factories.head("revenue-certificate-fee", revenue)
    service = factories.service(
        "domicile-certificate",
        revenue,
        name_en="Domicile certificate",
        name_hi="मूल निवास प्रमाण-पत्र",
    )
    factories.version(
        service,
        fees=[(fee_head, 10_00)],
        form_schema=certificate_form(),
        workflow_ref="revenue.certificate.v1",
    )
    for n, (code, mandatory) in enumerate(
        [
            ("jan-aadhaar", True),
            ("photo", True),
            ("self-declaration", True),
            ("address-proof", False),
        ]
    ):
        doc_type, _ = DocumentType.objects.get_or_create(
            code=code, defaults={"name_en": code.replace("-", " ").title(), "name_hi": "दस्तावेज़"}
        )
        ServiceDocument.objects.create(
            service=service, document_type=doc_type, mandatory=mandatory, sort_order=n
        )
    return service


@pytest.fixture
def operator(make_user, jaipur) -> Any:
    user = make_user(Role.OPERATOR, full_name="Ramesh Kumar", district=jaipur)
    give_kiosk(user)
    fund(user)
    return user


@pytest.fixture
def staff_of(make_user: Callable[..., Any]) -> Callable[..., Any]:
    def make(role: str, department: Department, **extra: Any) -> Any:
        user = make_user(role, **extra)
        assign_department_staff(user=user, department=department)
        return user

    return make


@pytest.fixture
def officer(staff_of, revenue, jaipur) -> Any:
    """A Revenue officer posted to Jaipur."""
    return staff_of(Role.DEPARTMENT_OFFICER, revenue, full_name="Anil Sharma", district=jaipur)


@pytest.fixture
def dept_admin(staff_of, revenue) -> Any:
    return staff_of(Role.DEPARTMENT_ADMIN, revenue, full_name="Revenue Admin")


@pytest.fixture
def submit(domicile, operator, jaipur, sanganer) -> Callable[..., Application]:
    def make(**overrides: Any) -> Application:
        files = overrides.pop("files", None)
        return services.submit_application(
            service=domicile,
            submitted_by=overrides.pop("by", operator),
            data=form_data(jaipur, sanganer, **overrides.pop("data", {})),
            files=good_files() if files is None else files,
            key=overrides.pop("key", uuid.uuid4().hex),
        )

    return make
