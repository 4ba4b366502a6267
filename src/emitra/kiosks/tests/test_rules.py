"""The inactivity rule (ledger transactions per month) and the repeat-offender rule."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from emitra.kiosks import services
from emitra.kiosks.models import (
    Complaint,
    ComplaintState,
    Kiosk,
    KioskAction,
    KioskStatus,
)
from emitra.kiosks.tests import factories
from emitra.ledger import chart
from emitra.ledger import selectors as ledger_selectors
from emitra.ledger import services as ledger
from emitra.ledger.services import Leg

pytestmark = pytest.mark.django_db
_keys = itertools.count(1)


def this_month():
    return timezone.localdate().replace(day=1)


def active_since_last_month(provider, society, **extra) -> Kiosk:
    kiosk = factories.kiosk(provider, status=KioskStatus.ACTIVE, district_admin=society, **extra)
    Kiosk.objects.filter(pk=kiosk.pk).update(activated_at=timezone.now() - timedelta(days=62))
    kiosk.refresh_from_db()
    return kiosk


def top_up(kiosk: Kiosk, times: int) -> None:
    wallet = ledger_selectors.wallet_of(kiosk.operator_id)
    assert wallet is not None
    for _ in range(times):
        ledger.transfer(
            legs=[Leg(debit=chart.gateway_clearing(), credit=wallet, amount=100_00)],
            kind="topup",
            scope="test",
            key=f"k{next(_keys)}",
        )


def test_a_kiosk_with_fewer_than_ten_transactions_in_the_month_is_flagged(lsp, society):
    quiet = active_since_last_month(lsp, society)
    busy = active_since_last_month(lsp, society)
    top_up(quiet, 9)
    top_up(busy, 10)

    summary = services.flag_inactive_kiosks(month=this_month())

    quiet.refresh_from_db()
    busy.refresh_from_db()
    assert (summary.checked, summary.flagged) == (2, 1)
    assert quiet.inactive_month == this_month()
    assert busy.inactive_month is None
    assert quiet.events.filter(action=KioskAction.FLAG_INACTIVE).count() == 1


def test_the_inactivity_rule_is_idempotent_and_clears_a_kiosk_that_picked_up(lsp, society):
    kiosk = active_since_last_month(lsp, society)
    services.flag_inactive_kiosks(month=this_month())
    again = services.flag_inactive_kiosks(month=this_month())
    assert again.flagged == 0
    assert kiosk.events.filter(action=KioskAction.FLAG_INACTIVE).count() == 1

    top_up(kiosk, 10)
    cleared = services.flag_inactive_kiosks(month=this_month())

    kiosk.refresh_from_db()
    assert cleared.cleared == 1
    assert kiosk.inactive_month is None


def test_kiosks_opened_during_the_month_or_not_active_are_not_judged(lsp, society):
    factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society)  # opened today
    factories.kiosk(lsp, status=KioskStatus.SUSPENDED, district_admin=society)
    factories.kiosk(lsp, status=KioskStatus.APPROVED, district_admin=society)

    summary = services.flag_inactive_kiosks(month=this_month())

    assert (summary.checked, summary.flagged) == (0, 0)


def test_the_threshold_is_a_setting(lsp, society, settings):
    settings.KIOSK_INACTIVITY_MIN_TRANSACTIONS = 3
    kiosk = active_since_last_month(lsp, society)
    top_up(kiosk, 3)

    assert services.flag_inactive_kiosks(month=this_month()).flagged == 0


def test_the_job_judges_the_previous_calendar_month():
    from datetime import date

    assert services.previous_month(date(2026, 3, 15)) == date(2026, 2, 1)
    assert services.previous_month(date(2026, 1, 1)) == date(2025, 12, 1)


def test_the_periodic_job_flags_last_months_quiet_kiosks_every_six_hours(lsp, society):
    from emitra.core.jobs import JOBS
    from emitra.kiosks import handlers

    quiet = active_since_last_month(lsp, society)  # its top-ups (none) were all last month
    job = JOBS["kiosks.flag_inactive"]

    summary = job.fn()
    again = handlers.flag_inactive()

    quiet.refresh_from_db()
    last_month = services.previous_month(timezone.localdate())
    assert isinstance(summary, services.InactivitySummary)
    assert (summary.month, summary.flagged) == (last_month, 1)
    assert quiet.inactive_month == last_month
    assert isinstance(again, services.InactivitySummary)
    assert again.flagged == 0  # idempotent: the job may run as often as it likes
    period = timedelta(seconds=job.every_seconds)  # a schedule, not a measured time
    assert period == timedelta(hours=6)


def upheld(kiosk: Kiosk, society, *, days_ago: int = 1) -> Complaint:
    complaint = Complaint.objects.create(
        number=f"CMP-T-{next(_keys)}",
        receipt_number=f"R-{next(_keys)}",
        kiosk=kiosk,
        district=kiosk.district,
        category="overcharging",
        due_at=timezone.now(),
        created_at=timezone.now() - timedelta(days=days_ago),
    )
    return services.resolve_complaint(actor=society, complaint=complaint, note="refunded")


def test_three_upheld_complaints_in_ninety_days_flag_a_repeat_offender(lsp, society):
    kiosk = factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society)
    upheld(kiosk, society, days_ago=100)  # outside the window
    upheld(kiosk, society)
    upheld(kiosk, society)
    kiosk.refresh_from_db()
    assert kiosk.offender_flagged_at is None

    upheld(kiosk, society)

    kiosk.refresh_from_db()
    assert kiosk.offender_flagged_at is not None
    assert kiosk.events.filter(action=KioskAction.FLAG_OFFENDER).count() == 1
    upheld(kiosk, society)  # a fourth does not flag twice
    assert kiosk.events.filter(action=KioskAction.FLAG_OFFENDER).count() == 1


def test_rejected_complaints_do_not_count(lsp, society):
    kiosk = factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society)
    for _ in range(3):
        complaint = Complaint.objects.create(
            number=f"CMP-T-{next(_keys)}",
            receipt_number="R-1",
            kiosk=kiosk,
            district=kiosk.district,
            category="behaviour",
            due_at=timezone.now(),
        )
        services.reject_complaint(actor=society, complaint=complaint, note="no evidence")

    kiosk.refresh_from_db()
    assert kiosk.offender_flagged_at is None
    assert Complaint.objects.filter(state=ComplaintState.REJECTED).count() == 3


def test_the_offender_threshold_is_a_setting(lsp, society, settings):
    settings.KIOSK_OFFENDER_UPHELD_COMPLAINTS = 1
    kiosk = factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society)

    upheld(kiosk, society)

    kiosk.refresh_from_db()
    assert kiosk.offender_flagged_at is not None
