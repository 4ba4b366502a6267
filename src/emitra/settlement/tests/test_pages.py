"""The state admin's settlement pages and mismatch actions; the auditor only reads."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from emitra.accounts.roles import Role
from emitra.core.models import AuditEntry
from emitra.core.timeutil import IST
from emitra.ledger import chart
from emitra.payments import services as payments
from emitra.payments.models import TopUpState
from emitra.settlement import services
from emitra.settlement.models import Mismatch, MismatchKind, MismatchState, Source
from emitra.settlement.tests.helpers import collect

pytestmark = pytest.mark.django_db
DAY = date(2026, 4, 1)


@pytest.fixture
def settlement(department):
    head = chart.revenue_head(department=department.code, head="0029-00-800", name="Fees")
    collect(head, 500_00)
    day = timezone.now().astimezone(IST).date()
    return services.settle_department_day(
        department_code=department.code, day=day, now=timezone.now() + timedelta(days=1)
    )


@pytest.fixture
def mismatch(db):
    return Mismatch.objects.create(
        source=Source.BILLER,
        partner="jvvnl",
        day=DAY,
        reference="PAY-9",
        kind=MismatchKind.MISSING_THEIRS,
        ours=900_00,
    )


@pytest.mark.parametrize("role", [Role.STATE_ADMIN, Role.AUDITOR])
def test_staff_read_settlements_and_download_the_file(client_as, role, settlement):
    client = client_as(role)

    listing = client.get("/settlement/", {"department": settlement.department.code})
    detail = client.get(f"/settlement/{settlement.number}/")
    file = client.get(f"/settlement/{settlement.number}/file.csv")
    export = client.get("/settlement/", {"format": "csv", "from": "2000-01-01"})

    assert listing.status_code == 200 and settlement.number in listing.content.decode()
    assert detail.status_code == 200 and "0029-00-800" in detail.content.decode()
    assert file.status_code == 200
    assert file.content.decode() == settlement.file_csv
    assert file["X-Checksum-SHA256"] == settlement.file_checksum
    assert export.status_code == 200 and settlement.number in export.content.decode()


def test_the_list_filters_by_department_and_dates(client_as, settlement):
    client = client_as(Role.STATE_ADMIN)

    other = client.get("/settlement/", {"department": "elsewhere"}).content.decode()
    later = client.get("/settlement/", {"from": "2999-01-01"}).content.decode()

    assert settlement.number not in other and settlement.number not in later


@pytest.mark.parametrize("role", [Role.STATE_ADMIN, Role.AUDITOR])
def test_the_mismatch_report_and_its_export(client_as, role, mismatch):
    client = client_as(role)

    page = client.get("/settlement/mismatches/", {"source": "biller", "day": DAY.isoformat()})
    export = client.get("/settlement/mismatches/", {"format": "csv", "state": "open"})
    none = client.get("/settlement/mismatches/", {"source": "gateway"})

    assert page.status_code == 200 and "PAY-9" in page.content.decode()
    action = f"/settlement/mismatches/{mismatch.pk}/resolve/"
    assert (action in page.content.decode()) == (role == Role.STATE_ADMIN)
    assert export.status_code == 200 and "2026-04-01,Biller,jvvnl,PAY-9," in export.content.decode()
    assert "900.00" in export.content.decode()
    assert "PAY-9" not in none.content.decode()


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.DISTRICT_ADMIN, Role.DEPARTMENT_ADMIN])
def test_other_roles_are_refused(client_as, role, mismatch):
    client = client_as(role)

    assert client.get("/settlement/").status_code == 403
    assert client.get("/settlement/mismatches/").status_code == 403
    response = client.post(f"/settlement/mismatches/{mismatch.pk}/resolve/", {"note": "x"})
    assert response.status_code == 403
    mismatch.refresh_from_db()
    assert mismatch.state == MismatchState.OPEN


def test_anonymous_visitors_are_sent_to_log_in(client, mismatch):
    assert client.get("/settlement/mismatches/").status_code == 302
    assert client.post(f"/settlement/mismatches/{mismatch.pk}/resolve/").status_code == 302


def test_the_state_admin_resolves_a_mismatch_with_a_note(client_as, mismatch):
    client = client_as(Role.STATE_ADMIN)

    response = client.post(
        f"/settlement/mismatches/{mismatch.pk}/resolve/",
        {"note": "Biller confirmed by e-mail; posted in their next file."},
    )

    assert response.status_code == 302
    mismatch.refresh_from_db()
    assert mismatch.state == MismatchState.RESOLVED
    assert mismatch.resolved_by == client.user and mismatch.resolved_at is not None
    assert mismatch.resolution_note.startswith("Biller confirmed")
    entry = AuditEntry.objects.get(action="settlement.mismatch_resolved")
    assert entry.before is not None and entry.after is not None
    assert entry.before["state"] == "open" and entry.after["state"] == "resolved"


def test_a_note_is_required_and_a_resolved_mismatch_stays_resolved(client_as, mismatch):
    client = client_as(Role.STATE_ADMIN)

    client.post(f"/settlement/mismatches/{mismatch.pk}/resolve/", {"note": "  "})
    mismatch.refresh_from_db()
    assert mismatch.state == MismatchState.OPEN
    client.post(f"/settlement/mismatches/{mismatch.pk}/resolve/", {"note": "first"})
    client.post(f"/settlement/mismatches/{mismatch.pk}/resolve/", {"note": "second"})
    mismatch.refresh_from_db()
    assert mismatch.resolution_note == "first"
    assert AuditEntry.objects.filter(action="settlement.mismatch_resolved").count() == 1


def test_the_auditor_cannot_resolve(client_as, mismatch):
    client = client_as(Role.AUDITOR)

    resolve = client.post(f"/settlement/mismatches/{mismatch.pk}/resolve/", {"note": "x"})
    assert resolve.status_code == 403
    assert client.post(f"/settlement/mismatches/{mismatch.pk}/recheck/").status_code == 403
    mismatch.refresh_from_db()
    assert mismatch.state == MismatchState.OPEN
    assert not AuditEntry.objects.filter(action="settlement.mismatch_resolved").exists()


def test_resolving_needs_the_csrf_token(make_user, mismatch):
    from conftest import verify_totp

    admin = make_user(Role.STATE_ADMIN)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    verify_totp(client, admin)

    response = client.post(f"/settlement/mismatches/{mismatch.pk}/resolve/", {"note": "x"})

    assert response.status_code == 403
    mismatch.refresh_from_db()
    assert mismatch.state == MismatchState.OPEN


@pytest.mark.simulators
def test_checking_a_lost_payment_at_the_gateway_credits_and_resolves_it(
    client_as, payment_gateway, operator
):
    topup = payments.start_topup(
        operator=operator, amount=800_00, key=uuid.uuid4().hex, site_url="http://127.0.0.1:9"
    )
    payment_gateway.pay(topup.gateway_order_id, drop_callback="1")
    services.reconcile_gateway_day(day=timezone.now().astimezone(IST).date())
    mismatch = Mismatch.objects.get(kind=MismatchKind.MISSING_OURS)
    client = client_as(Role.STATE_ADMIN)

    page = client.get("/settlement/mismatches/")
    response = client.post(f"/settlement/mismatches/{mismatch.pk}/recheck/")

    assert "Check at the gateway" in page.content.decode()
    assert response.status_code == 302
    topup.refresh_from_db()
    assert topup.state == TopUpState.PAID
    mismatch.refresh_from_db()
    assert mismatch.state == MismatchState.RESOLVED and mismatch.resolved_by == client.user
    assert AuditEntry.objects.filter(action="payments.topup_checked").exists()


def test_only_a_lost_top_up_can_be_checked_at_the_gateway(client_as, mismatch):
    client = client_as(Role.STATE_ADMIN)

    client.post(f"/settlement/mismatches/{mismatch.pk}/recheck/")

    mismatch.refresh_from_db()
    assert mismatch.state == MismatchState.OPEN


@pytest.mark.parametrize("language", ["hi", "en"])
def test_the_settlement_pdf_renders_the_file(client_as, settlement, language):
    from django.utils import translation

    from emitra.settlement import documents

    with translation.override(language):
        data = documents.pdf_data(settlement)
        body = documents.render_pdf(settlement, strict=True)

    assert body.startswith(b"%PDF")
    assert data["total"] == "₹500.00"
    assert data["heads"] == [
        {"code": "revenue:tstrev:0029-00-800", "name": "Fees", "amount": "₹500.00"}
    ]
    rows = data["rows"]
    assert isinstance(rows, list) and [row["amount"] for row in rows] == ["₹500.00"]
    response = client_as(Role.AUDITOR).get(f"/settlement/{settlement.number}/file.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
