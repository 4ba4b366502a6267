"""Every behaviour of the biller simulator ends the saga in exactly one terminal state, with
the money where it belongs and the ledger verifying afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from emitra.billpay import services
from emitra.billpay.adapters import BillerAnswer
from emitra.billpay.models import BillPayment, PaymentState
from emitra.billpay.tests.conftest import (
    FUNDS,
    assert_ledger_ok,
    available,
    k_number,
    posted,
    run_outbox,
)
from emitra.commissions.models import CommissionLine
from emitra.core.models import OutboxMessage
from emitra.ledger.models import Hold, HoldState

pytestmark = [pytest.mark.simulators, pytest.mark.django_db]


@pytest.mark.parametrize(
    ("last", "deadline", "expected", "biller_status"),
    [
        (0, 900, PaymentState.SUCCESS, "success"),
        (4, 900, PaymentState.FAILED, "failed"),
        (5, 0, PaymentState.REVERSED, None),  # timeout: never recorded; cancelled past deadline
        (6, 900, PaymentState.SUCCESS, "success"),  # 5xx first, the retry lands
        (7, 900, PaymentState.SUCCESS, "success"),  # late success after two pending checks
        (8, 900, PaymentState.SUCCESS, "success"),  # duplicate confirmation
        (9, 900, PaymentState.SUCCESS, "success"),  # garbage answer to pay, status tells truth
        (7, 0, PaymentState.REVERSED, "cancelled"),  # late, past the deadline: cancelled there
    ],
)
def test_each_biller_behaviour_ends_in_one_terminal_state(
    biller, settings, pay, wallet, last, deadline, expected, biller_status
):
    settings.BILLPAY_DEADLINE_SECONDS = deadline
    consumer = k_number(last)

    payment = pay(consumer)
    assert payment.state == PaymentState.PENDING
    assert available(wallet) == FUNDS - payment.total
    run_outbox()

    payment.refresh_from_db()
    assert payment.state == expected
    hold = Hold.objects.get(pk=payment.hold_id)
    recorded = biller.payments(consumer)
    if expected == PaymentState.SUCCESS:
        assert hold.state == HoldState.POSTED
        # Electricity is free to the citizen: the wallet pays the bill, the discom pays the
        # kiosk's commission back into it.
        line = CommissionLine.objects.get(transaction=payment.journal_transaction)
        assert posted(wallet) == FUNDS - payment.total + line.kiosk_share
        assert payment.biller_txn_id
        assert [r["status"] for r in recorded] == ["success"]
    else:
        assert hold.state == HoldState.VOIDED
        assert payment.journal_transaction is None
        assert posted(wallet) == available(wallet) == FUNDS
        assert [r["status"] for r in recorded] == ([biller_status] if biller_status else [])
    assert BillPayment.objects.filter(state=PaymentState.PENDING).count() == 0
    assert_ledger_ok()
    call_command("ledger", "verify")  # the command an operator of the system runs


def test_a_citizen_paid_bill_collects_the_service_charge(biller, pay, wallet):
    """Gas bills are not free: the citizen pays the collection charge on top of the bill."""
    payment = pay("5000123450", biller="rsgl")
    run_outbox()

    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS
    over = max(payment.amount - 2_000_00, 0)
    assert payment.service_charge == 10_00 + 2_00 * -(-over // 1_000_00)  # ₹10 + ₹2/₹1,000
    assert payment.total == payment.amount + payment.service_charge
    line = CommissionLine.objects.get(transaction=payment.journal_transaction)
    assert line.kiosk_share == payment.service_charge * 80 // 100  # category A: 80 %
    assert posted(wallet) == FUNDS - payment.total + line.kiosk_share
    assert_ledger_ok()


def test_every_biller_can_be_fetched_and_paid(biller, pay, wallet):
    examples = {
        "jvvnl": "210512345670",
        "avvnl": "110412345671",
        "jdvvnl": "310612345672",
        "phed": "1403567890",
        "rsgl": "5000123450",
        "bsnl": "9012345670",
        "dth": "1012345670",
    }
    for code, consumer in examples.items():
        pay(consumer, biller=code)
    run_outbox()

    states = set(BillPayment.objects.values_list("state", flat=True))
    assert states == {PaymentState.SUCCESS}
    assert BillPayment.objects.count() == len(examples)
    assert_ledger_ok()


def test_receipt_numbers_are_gapless_across_outcomes(biller, pay, wallet):
    numbers = [pay(k_number(d)).number for d in (0, 4, 1)]
    run_outbox()

    tails = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert tails == [tails[0], tails[0] + 1, tails[0] + 2]
    assert all(n.startswith("BPR-") for n in numbers)


def test_status_checks_back_off_exponentially_up_to_a_cap(biller, settings, pay, wallet):
    """Computed, not waited for: each check is queued twice as far out as the last, from
    BILLPAY_POLL_SECONDS up to one minute."""
    settings.BILLPAY_POLL_SECONDS = 5
    assert [services.poll_delay(n) for n in range(7)] == [5, 10, 20, 40, 60, 60, 60]

    payment = pay(k_number(7))  # pending: nothing run, so the saga's own checks do not interfere
    for poll, expected in enumerate([5, 10, 20, 40, 60, 60]):
        payment.refresh_from_db()
        assert payment.polls == poll
        before = timezone.now()
        assert services.schedule_check(payment=payment, answer=BillerAnswer.unknown("test"))
        after = timezone.now()
        check = OutboxMessage.objects.get(topic="billpay.check_status", payload__poll=poll + 1)
        assert check.payload["payment"] == payment.number
        due, delay = check.available_at, timedelta(seconds=expected)  # a schedule, not a timing
        assert before + delay <= due <= after + delay
    # A scheduler holding a stale copy (another worker already moved the counter) does nothing.
    assert not services.schedule_check(payment=payment, answer=BillerAnswer.unknown("late"))
