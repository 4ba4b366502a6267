"""A payment the biller can neither confirm nor cancel is not polled for ever: after a bounded
number of unanswered cancels (or a day before its hold would lapse) it is referred to staff,
who resolve it as paid or failed while its hold is kept reserved for them — with the ledger
verifying afterwards, also when the hold lapsed before they acted."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from emitra.accounts.roles import Role
from emitra.billpay import services
from emitra.billpay.errors import (
    NotAllowedToResolve,
    NotAwaitingStaff,
    OutOfDistrict,
    ResolutionReasonRequired,
)
from emitra.billpay.models import AttentionReason, BillPayment, PaymentState
from emitra.billpay.tests.conftest import (
    FUNDS,
    assert_ledger_ok,
    available,
    k_number,
    posted,
    run_outbox,
)
from emitra.commissions.models import CommissionLine
from emitra.core.models import AuditEntry, OutboxMessage, OutboxStatus
from emitra.kiosks.tests import factories
from emitra.ledger import services as ledger
from emitra.ledger.models import Hold, HoldState

pytestmark = [pytest.mark.simulators, pytest.mark.django_db]

BROKEN = k_number("89", prefix="2105123456")  # the simulator answers garbage to everything


@pytest.fixture
def stuck(biller, settings, pay, wallet):
    """A payment to a biller answering garbage to pay and status and 502 to cancel, run until
    the saga gives up on it."""
    settings.BILLPAY_DEADLINE_SECONDS = 0
    settings.BILLPAY_CANCEL_ATTEMPTS = 3
    payment = pay(BROKEN)
    run_outbox()
    payment.refresh_from_db()
    return payment


@pytest.fixture
def state_admin(make_user):
    return make_user(Role.STATE_ADMIN)


def _waiting_checks() -> int:
    return OutboxMessage.objects.filter(
        topic__startswith="billpay.", status=OutboxStatus.PENDING
    ).count()


def test_a_biller_answering_garbage_to_everything_is_referred_to_staff(biller, stuck, wallet):
    assert stuck.state == PaymentState.PENDING
    assert stuck.needs_attention
    assert stuck.attention_reason == AttentionReason.CANCEL_UNANSWERED
    assert stuck.cancel_attempts == 3
    assert _waiting_checks() == 0  # no longer polled
    held = Hold.objects.get(pk=stuck.hold_id)
    assert held.state == HoldState.OPEN
    assert held.expires_at > timezone.now() + timedelta(days=29)  # kept for staff to decide
    assert ledger.expire_holds(now=timezone.now() + timedelta(days=3)) == 0
    assert available(wallet) == FUNDS - stuck.total  # still held, for staff to post or void
    assert [r["status"] for r in biller.payments(BROKEN)] == ["pending"]

    entry = AuditEntry.objects.get(action="billpay.needs_attention", object_id=str(stuck.pk))
    assert entry.after is not None
    assert entry.after["reason"] == "cancel_unanswered"
    assert entry.after["cancel_attempts"] == 3
    assert "502" in entry.after["detail"]

    # A check still in flight (or run again by a retry) changes nothing.
    services.check_with_biller(number=stuck.number, poll=stuck.polls)
    services.send_to_biller(number=stuck.number)
    again = BillPayment.objects.get(pk=stuck.pk)
    assert (again.polls, again.cancel_attempts, again.state) == (stuck.polls, 3, "pending")
    assert _waiting_checks() == 0
    assert_ledger_ok()


def test_staff_resolve_it_as_paid(stuck, wallet, state_admin):
    done = services.resolve_paid(
        actor=state_admin,
        number=stuck.number,
        reason="The biller's ops desk confirms it received the money.",
        biller_txn_id="BBPS-MANUAL-1",
    )

    assert done.state == PaymentState.SUCCESS
    assert done.biller_txn_id == "BBPS-MANUAL-1"
    assert Hold.objects.get(pk=done.hold_id).state == HoldState.POSTED
    line = CommissionLine.objects.get(transaction=done.journal_transaction)
    assert posted(wallet) == available(wallet) == FUNDS - done.total + line.kiosk_share
    entry = AuditEntry.objects.get(action="billpay.resolved_paid", object_id=str(done.pk))
    assert entry.actor_id == state_admin.pk
    assert entry.after is not None and "confirms" in entry.after["reason"]
    assert not BillPayment.objects.filter(state=PaymentState.PENDING).exists()
    call_command("ledger", "verify")


def test_staff_resolve_it_as_failed(stuck, wallet, state_admin):
    done = services.resolve_failed(
        actor=state_admin, number=stuck.number, reason="The biller has no such payment."
    )

    assert done.state == PaymentState.FAILED
    assert done.failure_reason == "The biller has no such payment."
    assert Hold.objects.get(pk=done.hold_id).state == HoldState.VOIDED
    assert done.journal_transaction is None
    assert posted(wallet) == available(wallet) == FUNDS
    entry = AuditEntry.objects.get(action="billpay.resolved_failed", object_id=str(done.pk))
    assert entry.actor_id == state_admin.pk
    call_command("ledger", "verify")


@pytest.mark.parametrize("resolution", ["paid", "failed"])
def test_staff_resolve_it_after_the_hold_lapsed(stuck, wallet, state_admin, resolution):
    """Nobody acted while the hold was kept (30 days): the ledger's expiry gave the money back
    to the wallet. Paid takes it again (a new hold, posted at once); failed has nothing left
    to give back."""
    assert ledger.expire_holds(now=timezone.now() + timedelta(days=31)) == 1
    assert Hold.objects.get(pk=stuck.hold_id).state == HoldState.EXPIRED
    assert available(wallet) == FUNDS

    if resolution == "paid":
        done = services.resolve_paid(actor=state_admin, number=stuck.number, reason="Paid.")
        assert done.state == PaymentState.SUCCESS
        assert done.hold_id != stuck.hold_id
        assert Hold.objects.get(pk=done.hold_id).state == HoldState.POSTED
        line = CommissionLine.objects.get(transaction=done.journal_transaction)
        assert posted(wallet) == FUNDS - done.total + line.kiosk_share
    else:
        done = services.resolve_failed(actor=state_admin, number=stuck.number, reason="No.")
        assert done.state == PaymentState.FAILED
        assert posted(wallet) == available(wallet) == FUNDS
    call_command("ledger", "verify")


def test_resolving_is_refused_to_other_roles_districts_and_twice(stuck, make_user, operator):
    for role in (Role.OPERATOR, Role.AUDITOR, Role.DEPARTMENT_ADMIN, Role.LSP):
        with pytest.raises(NotAllowedToResolve):
            services.resolve_failed(actor=make_user(role), number=stuck.number, reason="x")
    ajmer = make_user(Role.DISTRICT_ADMIN, district=factories.district("ajmer"))
    with pytest.raises(OutOfDistrict):
        services.resolve_failed(actor=ajmer, number=stuck.number, reason="x")
    jaipur = make_user(Role.DISTRICT_ADMIN)
    assert services.district_of(stuck) == jaipur.district_id
    with pytest.raises(ResolutionReasonRequired):
        services.resolve_failed(actor=jaipur, number=stuck.number, reason="  ")
    assert BillPayment.objects.get(pk=stuck.pk).needs_attention  # nothing changed

    services.resolve_failed(actor=jaipur, number=stuck.number, reason="Not received.")
    with pytest.raises(NotAwaitingStaff):
        services.resolve_paid(actor=jaipur, number=stuck.number, reason="Received after all.")
    assert BillPayment.objects.get(pk=stuck.pk).state == PaymentState.FAILED
    assert_ledger_ok()


def test_a_payment_still_being_checked_cannot_be_resolved(biller, pay, wallet, state_admin):
    payment = pay(k_number(7))  # pending, the saga still at work
    with pytest.raises(NotAwaitingStaff):
        services.resolve_paid(actor=state_admin, number=payment.number, reason="x")


def test_a_payment_is_referred_well_before_its_hold_would_lapse(biller, settings, pay, wallet):
    """The status check refers a payment once the hold is within the margin of its expiry,
    whatever the cancel attempts (here: the margin is longer than the hold)."""
    settings.BILLPAY_ATTENTION_BEFORE_HOLD_EXPIRY_SECONDS = 3 * 86_400
    payment = pay(k_number(7))  # the biller answers "pending" first
    run_outbox()

    payment.refresh_from_db()
    assert payment.needs_attention
    assert payment.attention_reason == AttentionReason.HOLD_EXPIRING
    assert Hold.objects.get(pk=payment.hold_id).state == HoldState.OPEN
    assert _waiting_checks() == 0


def test_the_periodic_sweep_refers_payments_whose_checks_stopped(biller, pay, wallet):
    """A payment whose status checks died in the outbox is still referred a day before its
    hold lapses; one referred already is not referred again."""
    payment = pay(k_number(7))
    OutboxMessage.objects.filter(topic__startswith="billpay.").update(status=OutboxStatus.DEAD)
    soon = timezone.now() + services.HOLD_TTL - timedelta(hours=23)

    assert services.refer_payments_near_hold_expiry(now=timezone.now()) == 0
    assert services.refer_payments_near_hold_expiry(now=soon) == 1
    assert services.refer_payments_near_hold_expiry(now=soon) == 0
    payment.refresh_from_db()
    assert payment.attention_reason == AttentionReason.HOLD_EXPIRING
    assert Hold.objects.get(pk=payment.hold_id).expires_at > soon  # before the lapse


# --- the staff list ----------------------------------------------------------------------------

LIST = "/bills/attention/"


def test_the_state_admin_lists_filters_exports_and_resolves(stuck, client_as, wallet):
    client = client_as(Role.STATE_ADMIN)
    client.cookies["emitra_lang"] = "en"
    html = client.get(LIST).content.decode()
    assert stuck.number in html
    assert "The biller answered neither status nor cancel" in html
    assert stuck.number in client.get(LIST, {"q": stuck.consumer}).content.decode()
    assert stuck.number not in client.get(LIST, {"reason": "hold_expiring"}).content.decode()
    assert stuck.number not in client.get(LIST, {"biller": "avvnl"}).content.decode()
    assert stuck.number in client.get(LIST, {"district": "jaipur"}).content.decode()

    export = client.get(LIST, {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [(r["receipt"], r["reason"], r["hold_state"]) for r in rows] == [
        (stuck.number, "cancel_unanswered", "open")
    ]
    assert rows[0]["district"] == "Jaipur"

    detail = client.get(f"{LIST}{stuck.number}/")
    assert detail.status_code == 200
    refused = client.post(f"{LIST}{stuck.number}/", {"action": "paid", "reason": ""})
    assert refused.status_code == 400
    assert "Give the reason" in refused.content.decode()
    done = client.post(
        f"{LIST}{stuck.number}/", {"action": "paid", "reason": "Confirmed by phone."}
    )
    assert done.status_code == 302
    assert BillPayment.objects.get(pk=stuck.pk).state == PaymentState.SUCCESS
    after = client.get(LIST).content.decode()
    assert "resolved: Paid" in after  # the flash message
    assert f'data-number="{stuck.number}"' not in after
    call_command("ledger", "verify")


def test_a_district_admin_sees_and_resolves_only_their_districts(stuck, client_as):
    ajmer = client_as(Role.DISTRICT_ADMIN, district=factories.district("ajmer"))
    assert stuck.number not in ajmer.get(LIST).content.decode()
    assert ajmer.get(f"{LIST}{stuck.number}/").status_code == 404
    refused = ajmer.post(f"{LIST}{stuck.number}/", {"action": "failed", "reason": "x"})
    assert refused.status_code == 404
    assert BillPayment.objects.get(pk=stuck.pk).needs_attention
    ajmer.logout()

    jaipur = client_as(Role.DISTRICT_ADMIN)
    assert stuck.number in jaipur.get(LIST).content.decode()
    done = jaipur.post(f"{LIST}{stuck.number}/", {"action": "failed", "reason": "Not received."})
    assert done.status_code == 302
    assert BillPayment.objects.get(pk=stuck.pk).state == PaymentState.FAILED


@pytest.mark.parametrize(
    "role", [r for r in Role.values if r not in (Role.STATE_ADMIN, Role.DISTRICT_ADMIN)]
)
def test_other_roles_are_refused_the_staff_list(client_as, catalog, role):
    client = client_as(role)
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}BPR-2026-27-000000001/").status_code == 403
    assert client.post(f"{LIST}BPR-2026-27-000000001/", {"action": "paid"}).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in_from_the_staff_list(client, catalog):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("role", "listed"),
    [(Role.STATE_ADMIN, True), (Role.DISTRICT_ADMIN, True), (Role.OPERATOR, False)],
)
def test_the_menu_leads_state_and_district_admins_to_the_list(client_as, role, listed):
    page = client_as(role).get("/accounts/me/")
    assert page.status_code == 200
    assert (f'href="{LIST}"' in page.content.decode()) is listed
