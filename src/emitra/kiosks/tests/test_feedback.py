"""Ratings and complaints from a receipt link, and their handling by the district."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from emitra.accounts.roles import Role
from emitra.kiosks import services
from emitra.kiosks.errors import (
    AlreadyRated,
    ComplaintClosed,
    NoteRequired,
    OutOfScope,
    TooManyComplaints,
    UnknownReceipt,
    WrongRole,
)
from emitra.kiosks.models import Complaint, ComplaintState, KioskStatus, Rating
from emitra.kiosks.receipts import find_receipt
from emitra.kiosks.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def kiosk(lsp, society):
    return factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society, code="JPR-K-7")


def test_a_receipt_is_found_through_a_registered_lookup(fake_receipts, kiosk):
    fake_receipts.issue("RJ-2026-27-000000001", kiosk=kiosk)

    found = find_receipt("RJ-2026-27-000000001")
    assert found is not None
    assert found.kiosk_code == "JPR-K-7"
    assert find_receipt("RJ-2026-27-000000002") is None
    assert find_receipt("x" * 41) is None


def test_a_complaint_for_an_unknown_receipt_is_refused_and_nothing_is_stored(fake_receipts):
    with pytest.raises(UnknownReceipt) as refused:
        services.submit_complaint(receipt_number="NOPE-1", category="overcharging")
    with pytest.raises(UnknownReceipt):
        services.rate_receipt(receipt_number="NOPE-1", stars=5)

    assert "No receipt has this number" in str(refused.value.message)
    assert not Complaint.objects.exists()
    assert not Rating.objects.exists()


def test_a_complaint_goes_to_the_kiosks_district_with_an_sla(fake_receipts, kiosk):
    fake_receipts.issue("R-1", kiosk=kiosk)

    complaint = services.submit_complaint(
        receipt_number="R-1", category="overcharging", description="asked ₹100 extra"
    )

    assert complaint.number.startswith("CMP-")
    assert complaint.district == kiosk.district
    assert complaint.state == ComplaintState.OPEN
    assert timedelta(days=6, hours=23) < complaint.due_at - timezone.now() <= timedelta(days=7)


def test_complaints_are_rate_limited_per_receipt(fake_receipts, kiosk):
    fake_receipts.issue("R-2", kiosk=kiosk)
    services.submit_complaint(receipt_number="R-2", category="behaviour")
    services.submit_complaint(receipt_number="R-2", category="overcharging")

    with pytest.raises(TooManyComplaints):
        services.submit_complaint(receipt_number="R-2", category="service_failed")

    assert Complaint.objects.filter(receipt_number="R-2").count() == 2


def test_one_rating_per_receipt(fake_receipts, kiosk):
    fake_receipts.issue("R-3", kiosk=kiosk)
    services.rate_receipt(receipt_number="R-3", stars=4, comment="quick")

    with pytest.raises(AlreadyRated):
        services.rate_receipt(receipt_number="R-3", stars=1)

    assert list(Rating.objects.values_list("stars", flat=True)) == [4]


def test_the_district_handles_a_complaint_open_in_progress_resolved(fake_receipts, kiosk, society):
    fake_receipts.issue("R-4", kiosk=kiosk)
    complaint = services.submit_complaint(receipt_number="R-4", category="overcharging")

    complaint = services.start_complaint(actor=society, complaint=complaint)
    assert complaint.state == ComplaintState.IN_PROGRESS
    with pytest.raises(NoteRequired):
        services.resolve_complaint(actor=society, complaint=complaint, note="")
    complaint = services.resolve_complaint(actor=society, complaint=complaint, note="refunded")

    assert complaint.state == ComplaintState.RESOLVED
    assert complaint.closed_at is not None
    with pytest.raises(ComplaintClosed):
        services.reject_complaint(actor=society, complaint=complaint, note="changed mind")


def test_another_district_or_role_cannot_handle_a_complaint(fake_receipts, kiosk, ajmer, jaipur):
    fake_receipts.issue("R-5", kiosk=kiosk)
    complaint = services.submit_complaint(receipt_number="R-5", category="overcharging")

    with pytest.raises(OutOfScope):
        services.start_complaint(
            actor=factories.user(Role.DISTRICT_ADMIN, ajmer), complaint=complaint
        )
    for role in (Role.LSP, Role.OPERATOR, Role.AUDITOR):
        with pytest.raises(WrongRole):
            services.start_complaint(actor=factories.user(role, jaipur), complaint=complaint)
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.OPEN
