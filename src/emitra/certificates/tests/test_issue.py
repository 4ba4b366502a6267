from __future__ import annotations

import pytest

from emitra.accounts.roles import Role
from emitra.certificates.errors import InvalidCertificateData, NotAnIssuer, UnknownKind
from emitra.certificates.kinds import KINDS
from emitra.certificates.models import Certificate
from emitra.certificates.tests.conftest import HOLDER_EN, HOLDER_HI
from emitra.core.models import AuditEntry, IdSeries

pytestmark = pytest.mark.django_db(transaction=False)


def test_issue_numbers_signs_stores_and_audits(issue, officer, revenue, jaipur):
    cert = issue(application_number="app-2026-27-000000007")
    assert cert.number.startswith("DOM-") and cert.number.endswith("-000000001")
    assert cert.application_number == "APP-2026-27-000000007"
    assert cert.holder_name_hi == HOLDER_HI and cert.holder_name_en == HOLDER_EN
    assert cert.department == revenue and cert.district == jaipur
    assert cert.issued_by == officer and cert.status == "valid"
    data = cert.pdf.read()
    assert data.startswith(b"%PDF-")
    import hashlib

    assert hashlib.sha256(data).hexdigest() == cert.sha256
    assert cert.get_absolute_url() == f"/certificates/{cert.number}/pdf"
    assert AuditEntry.objects.filter(action="certificates.issue", object_id=str(cert.pk)).exists()


def test_a_retry_returns_the_same_certificate(issue):
    first = issue(application_number="APP-1")
    again = issue(application_number="app-1")  # the same application, replayed
    assert again.pk == first.pk and again.number == first.number
    assert Certificate.objects.count() == 1
    assert IdSeries.objects.get(series="DOM").last_value == 1


def test_the_same_application_may_hold_certificates_of_different_kinds(issue):
    dom = issue(application_number="APP-1")
    inc = issue(application_number="APP-1", kind="income", fields={"annual_income": "₹1,20,000"})
    assert dom.pk != inc.pk and inc.number.startswith("INC-")


def test_numbers_are_gapless_per_kind(issue):
    numbers = [issue().number[-9:] for _ in range(3)]
    assert numbers == ["000000001", "000000002", "000000003"]


def test_every_kind_renders(issue):
    assert len(KINDS) >= 5
    for code in KINDS:
        cert = issue(kind=code)
        assert cert.number.startswith(KINDS[code].series + "-")


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"kind": "passport"}, UnknownKind),
        ({"holder_name_en": "  "}, InvalidCertificateData),
        ({"holder_name_hi": "क" * 121}, InvalidCertificateData),
        ({"application_number": ""}, InvalidCertificateData),
        ({"fields": {"address": 5}}, InvalidCertificateData),
        ({"district_code": "atlantis"}, InvalidCertificateData),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(issue, overrides, error):
    with pytest.raises(error):
        issue(**overrides)
    assert Certificate.objects.count() == 0
    assert not IdSeries.objects.filter(last_value__gt=0).exists()
    assert not AuditEntry.objects.filter(action="certificates.issue").exists()


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.CITIZEN, Role.AUDITOR, Role.DISTRICT_ADMIN])
def test_only_department_staff_issue(issue, make_user, role):
    with pytest.raises(NotAnIssuer):
        issue(issued_by=make_user(role))
    assert Certificate.objects.count() == 0


def test_a_district_may_be_given_by_lgd_code_or_left_out(issue, jaipur):
    assert issue(district_code="110").district == jaipur
    assert issue(district_code=None).district is None
