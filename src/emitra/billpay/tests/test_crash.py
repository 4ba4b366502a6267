"""A worker killed mid-saga: between the hold and the biller call, and between the biller's
success and the posting. After a restart the payment converges — no double debit, nothing
lost — because the biller is idempotent on the receipt number and every step is conditional."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from emitra.billpay import services
from emitra.billpay.models import PaymentState
from emitra.billpay.tests.conftest import (
    FUNDS,
    assert_ledger_ok,
    available,
    k_number,
    posted,
    run_outbox,
)
from emitra.commissions.models import CommissionLine
from emitra.core import outbox
from emitra.core.models import OutboxMessage, OutboxStatus
from emitra.ledger.models import Hold, HoldState, JournalTransaction

pytestmark = [pytest.mark.simulators, pytest.mark.django_db]


def _lease_runs_out() -> None:
    """What time does for a dead worker: its leases expire and the rows are due again."""
    OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(
        available_at=timezone.now() - timedelta(seconds=1)
    )


def _postings(number: str) -> int:
    return JournalTransaction.objects.filter(
        cause_type="billpay.billpayment", cause_id=number
    ).count()


def test_a_worker_killed_between_the_hold_and_the_biller_call_loses_nothing(biller, pay, wallet):
    payment = pay(k_number(0))
    claimed = outbox.claim_due()  # the worker takes the message … and dies before calling
    assert len(claimed) == 1
    assert biller.payments(payment.consumer) == []
    assert run_outbox() == 0  # leased: nobody else runs it meanwhile

    _lease_runs_out()
    run_outbox()

    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS
    assert len(biller.payments(payment.consumer)) == 1
    assert _postings(payment.number) == 1
    assert_ledger_ok()


def test_a_worker_killed_between_the_billers_success_and_the_posting_posts_once(
    biller, pay, wallet, monkeypatch
):
    payment = pay(k_number(1))
    real = services.complete_payment

    def killed(**kwargs):
        raise SystemExit("worker killed")  # not an Exception: like a process dying mid-way

    monkeypatch.setattr(services, "complete_payment", killed)
    with pytest.raises(SystemExit):
        outbox.run_due()

    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    assert [p["status"] for p in biller.payments(payment.consumer)] == ["success"]
    assert Hold.objects.get(pk=payment.hold_id).state == HoldState.OPEN
    assert available(wallet) == FUNDS - payment.total  # held, not yet debited

    monkeypatch.setattr(services, "complete_payment", real)  # the restarted worker
    _lease_runs_out()
    run_outbox()

    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS
    recorded = biller.payments(payment.consumer)
    assert len(recorded) == 1 and recorded[0]["confirmations"] == 2  # asked twice, paid once
    assert _postings(payment.number) == 1
    line = CommissionLine.objects.get(transaction=payment.journal_transaction)
    assert posted(wallet) == FUNDS - payment.total + line.kiosk_share
    assert_ledger_ok()


def test_an_exception_after_the_billers_answer_is_retried_to_the_same_end(
    biller, pay, wallet, monkeypatch
):
    payment = pay(k_number(2))
    real = services.complete_payment
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "complete_payment", flaky)
    run_outbox()
    assert OutboxMessage.objects.get(topic="billpay.call_biller").status == OutboxStatus.PENDING
    _lease_runs_out()
    run_outbox()

    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS
    assert _postings(payment.number) == 1
    assert_ledger_ok()


def test_running_the_biller_call_twice_debits_once(biller, pay, wallet):
    payment = pay(k_number(8))

    services.send_to_biller(number=payment.number)
    services.send_to_biller(number=payment.number)  # a duplicate delivery of the same message
    services.complete_payment(number=payment.number, biller_txn_id="again")  # a late replay

    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS
    assert _postings(payment.number) == 1
    assert Hold.objects.get(pk=payment.hold_id).state == HoldState.POSTED
    assert_ledger_ok()


def test_a_stale_status_check_does_nothing(biller, pay, wallet):
    payment = pay(k_number(7))
    services.send_to_biller(number=payment.number)  # pending → check 1 scheduled
    payment.refresh_from_db()
    assert payment.polls == 1

    services.check_with_biller(number=payment.number, poll=0)  # an old duplicate
    payment.refresh_from_db()
    assert payment.polls == 1
    assert payment.state == PaymentState.PENDING
    run_outbox()
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS
    assert_ledger_ok()


def test_a_confirmation_after_the_refund_is_flagged_not_posted(biller, pay, wallet):
    payment = pay(k_number(4))
    run_outbox()
    payment.refresh_from_db()
    assert payment.state == PaymentState.FAILED

    services.complete_payment(number=payment.number, biller_txn_id="LATE1")

    payment.refresh_from_db()
    assert payment.state == PaymentState.FAILED
    assert _postings(payment.number) == 0
    assert available(wallet) == FUNDS
    from emitra.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="billpay.confirmed_after_close").count() == 1
    assert_ledger_ok()
