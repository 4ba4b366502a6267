"""A citizen's cash at the machine, on the ledger: paid, refunded on a voucher, or returned."""

from __future__ import annotations

import pytest

from emitra.billpay.models import BillPayment, PaymentState
from emitra.ledger import selectors as ledger_selectors
from emitra.ledger.models import Account, JournalTransaction
from emitra.ledger.verify import verify_ledger
from emitra.machines import errors, services
from emitra.machines.escpos import decode
from emitra.machines.models import CashPayment, CashState, RefundVoucher, VoucherPurpose

from .conftest import insert_enough, run_outbox

pytestmark = [pytest.mark.simulators, pytest.mark.django_db]

OK = "210512345670"  # the biller simulator pays consumers ending in 0
DECLINE = "210512345674"  # … and declines those ending in 4


def machine_postings() -> int:
    return JournalTransaction.objects.filter(scope=services.SCOPE).count()


def balance(code: str) -> int:
    account = Account.objects.filter(code=code).first()
    return ledger_selectors.posted_balance(account) if account else 0


def assert_ledger_ok() -> None:
    report = verify_ledger()
    assert report.ok, report.breaches


def test_cash_pays_the_bill_and_the_receipt_is_printed_in_escpos(biller, machine, devices, jvvnl):
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=OK)
    stacked = insert_enough(cash, devices)

    cash = services.confirm_cash_payment(cash=cash, devices=devices)
    assert cash.state == CashState.PAYING
    run_outbox()
    cash = services.settle(key=cash.key)

    assert cash.state == CashState.PAID
    payment = BillPayment.objects.get(machine_cash=cash)
    assert payment.state == PaymentState.SUCCESS
    assert cash.stacked == stacked
    assert balance(f"machine:cashbox:{machine.code}") == -stacked
    change = stacked - payment.total
    vouchers = list(RefundVoucher.objects.filter(cash_payment=cash))
    assert [v.amount for v in vouchers] == ([change] if change else [])
    assert balance(services.VOUCHERS_PAYABLE) == change

    paths = services.print_outcome(cash=cash, devices=devices)
    assert services.print_outcome(cash=cash, devices=devices) == []  # printed once
    ops = decode(paths[0].read_bytes())
    assert ops[0] == ("init", "")
    assert ("text", f"Receipt: {payment.number}") in ops
    assert any(op == "qr" and "/receipts/verify/" in data for op, data in ops)
    assert ops[-1] == ("cut", "")
    assert_ledger_ok()


def test_a_biller_failure_after_the_cash_was_taken_gives_a_recorded_refund_voucher(
    biller, machine, devices, jvvnl
):
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=DECLINE)
    stacked = insert_enough(cash, devices)

    services.confirm_cash_payment(cash=cash, devices=devices)
    run_outbox()
    cash = services.settle(key=cash.key)

    assert cash.state == CashState.VOUCHERED
    payment = BillPayment.objects.get(machine_cash=cash)
    assert payment.state == PaymentState.FAILED
    refund = RefundVoucher.objects.get(cash_payment=cash, purpose=VoucherPurpose.REFUND)
    assert refund.amount == payment.total
    assert refund.number.startswith("MRV-")
    total_vouchers = sum(
        RefundVoucher.objects.filter(cash_payment=cash).values_list("amount", flat=True)
    )
    assert total_vouchers == stacked  # every rupee taken is owed back
    assert balance(services.VOUCHERS_PAYABLE) == stacked
    wallet = services.machine_wallet(machine)
    assert ledger_selectors.available_balance(wallet) == 0
    assert services.settle(key=cash.key).vouchers.count() == len(
        RefundVoucher.objects.filter(cash_payment=cash)
    )  # settling again issues nothing more

    paths = services.print_outcome(cash=cash, devices=devices)
    assert any(("text", f"Voucher: {refund.number}") in decode(p.read_bytes()) for p in paths)
    code = f"Code: {services.format_voucher_code(refund.code)}"
    assert any(("text", code) in decode(p.read_bytes()) for p in paths)  # printed to redeem
    assert_ledger_ok()


def test_a_jam_while_the_notes_are_in_escrow_returns_them_and_posts_nothing(
    biller, machine, devices, jvvnl
):
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=OK)
    insert_enough(cash, devices)
    devices.cash.inject_fault("jam")

    with pytest.raises(errors.CashReturned):
        services.confirm_cash_payment(cash=cash, devices=devices)

    cash.refresh_from_db()
    assert cash.state == CashState.RETURNED
    assert cash.fault == "jam"
    assert machine_postings() == 0
    assert not BillPayment.objects.exists()
    assert devices.cash.escrow() == 0 and devices.cash.box_total() == 0
    assert_ledger_ok()


def test_an_acceptor_timeout_mid_insertion_returns_the_escrow_and_posts_nothing(
    biller, machine, devices, jvvnl
):
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=OK)
    services.insert_note(cash=cash, note=100, devices=devices)
    devices.cash.inject_fault("timeout")

    with pytest.raises(errors.CashReturned):
        services.insert_note(cash=cash, note=100, devices=devices)

    cash.refresh_from_db()
    assert cash.state == CashState.RETURNED
    assert devices.cash.escrow() == 0 and devices.cash.box_total() == 0
    assert machine_postings() == 0
    with pytest.raises(errors.NotCollecting):
        services.insert_note(cash=cash, note=100, devices=devices)
    assert_ledger_ok()


def test_a_jam_after_some_notes_were_stacked_credits_them_and_issues_a_voucher(
    biller, machine, devices, jvvnl
):
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=OK)
    insert_enough(cash, devices)
    services.insert_note(cash=cash, note=100, devices=devices)  # at least two notes
    devices.cash.inject_fault("jam_after_one")

    cash = services.confirm_cash_payment(cash=cash, devices=devices)

    assert cash.state == CashState.VOUCHERED
    assert cash.stacked == 500_00 == devices.cash.box_total()
    voucher = RefundVoucher.objects.get(cash_payment=cash)
    assert voucher.amount == 500_00
    assert not BillPayment.objects.exists()
    assert balance(f"machine:cashbox:{machine.code}") == -500_00
    assert balance(services.VOUCHERS_PAYABLE) == 500_00
    assert_ledger_ok()


def test_too_little_cash_or_a_rejected_note_changes_nothing(biller, machine, devices, jvvnl):
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=OK)
    services.insert_note(cash=cash, note=10, devices=devices)

    with pytest.raises(errors.NoteNotAccepted):
        services.insert_note(cash=cash, note=2000, devices=devices)
    with pytest.raises(errors.NotEnoughCash):
        services.confirm_cash_payment(cash=cash, devices=devices)

    cash.refresh_from_db()
    assert cash.state == CashState.COLLECTING
    assert devices.cash.escrow() == 10_00
    assert machine_postings() == 0

    assert services.cancel_cash_payment(cash=cash, devices=devices) == 10_00
    cash.refresh_from_db()
    assert cash.state == CashState.RETURNED
    assert machine_postings() == 0


def test_a_bill_paid_a_moment_ago_is_refused_before_any_cash_is_taken(
    biller, machine, devices, jvvnl
):
    first = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=OK)
    insert_enough(first, devices)
    services.confirm_cash_payment(cash=first, devices=devices)
    run_outbox()
    services.settle(key=first.key)

    with pytest.raises(errors.BillAlreadyPaid):
        services.start_cash_payment(machine=machine, biller=jvvnl, consumer=OK)
    assert CashPayment.objects.count() == 1


def test_voucher_numbers_are_gapless(biller, machine, devices, jvvnl):
    numbers = []
    for consumer in (DECLINE, "210512345664"):
        cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=consumer)
        insert_enough(cash, devices)
        services.confirm_cash_payment(cash=cash, devices=devices)
        run_outbox()
        cash = services.settle(key=cash.key)
        numbers.append(cash.vouchers.get(purpose=VoucherPurpose.REFUND).number)
    values = sorted(
        int(n.rsplit("-", 1)[1]) for n in RefundVoucher.objects.values_list("number", flat=True)
    )
    assert values == list(range(1, len(values) + 1))
    assert_ledger_ok()


def test_the_settle_handler_finishes_a_payment_the_citizen_walked_away_from(
    biller, machine, devices, jvvnl, settings
):
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=OK)
    insert_enough(cash, devices)
    services.confirm_cash_payment(cash=cash, devices=devices)
    from datetime import timedelta

    from django.utils import timezone

    from emitra.core.models import OutboxMessage

    run_outbox()  # the biller answers
    OutboxMessage.objects.filter(topic="machines.settle").update(
        available_at=timezone.now() - timedelta(seconds=1)
    )
    run_outbox()

    cash.refresh_from_db()
    assert cash.state == CashState.PAID
