"""Who may open, download and revoke a certificate. Not allowed and not found look the same
(404) for pages addressed by number; a role that never may gets 403 from its declaration."""

from __future__ import annotations

import pytest
from django.urls import reverse

from emitra.accounts.roles import Role
from emitra.certificates import selectors
from emitra.certificates.models import Certificate, CertificateStatus
from emitra.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _download(client, cert):
    return client.get(reverse("certificates:download", args=[cert.number]))


def test_issuing_department_staff_download(client_as, issue, officer):
    cert = issue()
    response = _download(client_as(Role.DEPARTMENT_OFFICER, user=officer), cert)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == cert.pdf.read()
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("role", [Role.STATE_ADMIN, Role.AUDITOR])
def test_statewide_roles_download(client_as, issue, role):
    assert _download(client_as(role), issue()).status_code == 200


def test_staff_of_another_department_or_district_may_not(
    client_as, issue, staff_of, home, revenue, ajmer, jaipur
):
    cert = issue()
    other_dept = staff_of(Role.DEPARTMENT_OFFICER, home)
    assert _download(client_as(Role.DEPARTMENT_OFFICER, user=other_dept), cert).status_code == 404


def test_department_staff_with_a_district_see_only_theirs(
    client, issue, staff_of, revenue, ajmer, jaipur
):
    from conftest import verify_totp

    cert = issue()
    ajmer_officer = staff_of(Role.DEPARTMENT_OFFICER, revenue, district=ajmer)
    jaipur_officer = staff_of(Role.DEPARTMENT_OFFICER, revenue, district=jaipur)
    assert not selectors.can_download(ajmer_officer, cert)
    assert selectors.can_download(jaipur_officer, cert)
    client.force_login(ajmer_officer)
    verify_totp(client, ajmer_officer)
    assert _download(client, cert).status_code == 404


@pytest.mark.parametrize(
    "role", [Role.OPERATOR, Role.CITIZEN, Role.LSP, Role.PARTNER, Role.DISTRICT_ADMIN]
)
def test_other_roles_may_not_download_without_a_registered_rule(client_as, issue, role):
    cert = issue()
    assert _download(client_as(role), cert).status_code == 404
    assert (
        client_as(role).get(reverse("certificates:detail", args=[cert.number])).status_code == 404
    )


def test_a_registered_check_lets_the_applicant_download(client_as, issue, make_user, monkeypatch):
    cert = issue()
    citizen = make_user(Role.CITIZEN)
    monkeypatch.setattr(selectors, "_download_checks", [])
    selectors.register_download_check(
        lambda user, c: user.pk == citizen.pk and c.application_number == cert.application_number
    )
    assert _download(client_as(Role.CITIZEN, user=citizen), cert).status_code == 200
    assert not selectors.can_download(make_user(Role.CITIZEN), cert)


def test_anonymous_is_sent_to_log_in(client, issue):
    response = _download(client, issue())
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_the_department_admin_revokes_with_a_reason(client_as, issue, staff_of, revenue):
    cert = issue()
    admin = staff_of(Role.DEPARTMENT_ADMIN, revenue)
    client = client_as(Role.DEPARTMENT_ADMIN, user=admin)
    page = client.get(reverse("certificates:detail", args=[cert.number]))
    assert page.status_code == 200 and "Revoke this certificate" in page.content.decode()
    response = client.post(
        reverse("certificates:revoke", args=[cert.number]),
        {"reason": "Issued on a forged affidavit"},
    )
    assert response.status_code == 302
    cert.refresh_from_db()
    assert cert.status == CertificateStatus.REVOKED and cert.revoked_by == admin
    assert cert.revocation_reason == "Issued on a forged affidavit"
    entry = AuditEntry.objects.get(action="certificates.revoke", object_id=str(cert.pk))
    assert entry.actor == admin and entry.after is not None
    assert entry.after["reason"] == "Issued on a forged affidavit"
    again = client.post(
        reverse("certificates:revoke", args=[cert.number]),
        {"reason": "Issued on a forged affidavit"},
    )
    assert again.status_code == 409


def test_a_state_admin_revokes_anywhere(client_as, issue):
    cert = issue()
    client = client_as(Role.STATE_ADMIN)
    client.post(
        reverse("certificates:revoke", args=[cert.number]),
        {"reason": "Duplicate of an earlier certificate"},
    )
    cert.refresh_from_db()
    assert cert.is_revoked


def test_a_revocation_without_a_reason_changes_nothing(client_as, issue, staff_of, revenue):
    cert = issue()
    client = client_as(Role.DEPARTMENT_ADMIN, user=staff_of(Role.DEPARTMENT_ADMIN, revenue))
    response = client.post(reverse("certificates:revoke", args=[cert.number]), {"reason": "bad"})
    assert response.status_code == 400
    cert.refresh_from_db()
    assert cert.status == CertificateStatus.VALID
    assert not AuditEntry.objects.filter(action="certificates.revoke").exists()


@pytest.mark.parametrize(
    "role",
    [Role.DEPARTMENT_OFFICER, Role.AUDITOR, Role.OPERATOR, Role.CITIZEN, Role.DISTRICT_ADMIN],
)
def test_other_roles_may_not_revoke(client_as, issue, staff_of, revenue, role):
    cert = issue()
    extra = {}
    if role == Role.DEPARTMENT_OFFICER:
        extra["user"] = staff_of(role, revenue)
    response = client_as(role, **extra).post(
        reverse("certificates:revoke", args=[cert.number]), {"reason": "I do not like it at all"}
    )
    assert response.status_code == 403
    assert Certificate.objects.get(pk=cert.pk).status == CertificateStatus.VALID


def test_another_departments_admin_may_not_revoke(client_as, issue, staff_of, home):
    cert = issue()
    client = client_as(Role.DEPARTMENT_ADMIN, user=staff_of(Role.DEPARTMENT_ADMIN, home))
    response = client.post(
        reverse("certificates:revoke", args=[cert.number]), {"reason": "Not ours but revoke anyway"}
    )
    assert response.status_code == 404
    assert Certificate.objects.get(pk=cert.pk).status == CertificateStatus.VALID


def test_the_list_shows_the_departments_certificates_and_exports_csv(
    client_as, issue, officer, staff_of, home
):
    cert = issue()
    client = client_as(Role.DEPARTMENT_OFFICER, user=officer)
    page = client.get(reverse("certificates:list"), {"kind": "domicile"})
    assert page.status_code == 200 and cert.number in page.content.decode()
    csv = client.get(reverse("certificates:list"), {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv") and cert.number in csv.content.decode()
    other = client_as(Role.DEPARTMENT_OFFICER, user=staff_of(Role.DEPARTMENT_OFFICER, home))
    assert cert.number not in other.get(reverse("certificates:list")).content.decode()


def test_the_list_pages_its_rows_and_the_csv_has_every_filtered_row(
    client_as, issue, officer, monkeypatch
):
    from emitra.certificates import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    issued = [issue() for _ in range(3)]
    client = client_as(Role.DEPARTMENT_OFFICER, user=officer)
    first = client.get(reverse("certificates:list"), {"kind": "domicile"})
    assert first.context["count"] == 3 and len(first.context["rows"]) == 2
    assert 'href="?kind=domicile&amp;page=2"' in first.content.decode()
    second = client.get(reverse("certificates:list"), {"kind": "domicile", "page": "2"})
    shown = [c.number for c in first.context["rows"]] + [c.number for c in second.context["rows"]]
    assert sorted(shown) == sorted(c.number for c in issued)
    export = client.get(reverse("certificates:list"), {"format": "csv", "page": "2"})
    assert all(c.number in export.content.decode() for c in issued)


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.CITIZEN, Role.LSP, Role.PARTNER])
def test_the_list_is_refused_to_other_roles(client_as, role):
    assert client_as(role).get(reverse("certificates:list")).status_code == 403


def test_the_verify_page_and_key_are_public(client):
    assert client.get(reverse("certificates:verify")).status_code == 200
    assert client.get(reverse("certificates:verify_key")).status_code == 200
