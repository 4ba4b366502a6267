"""A citizen's card at the machine: approved (on the ledger through the acquirer's clearing),
declined or failed mid-way (nothing charged, try again or pay cash), never charged twice."""

from __future__ import annotations

import pytest

from emitra.billpay.models import BillPayment, PaymentState
from emitra.ledger import selectors as ledger_selectors
from emitra.ledger.models import JournalTransaction
from emitra.machines import errors, services
from emitra.machines.escpos import decode
from emitra.machines.models import CashPayment, CashState, PaymentMethod, VoucherPurpose

from .conftest import insert_enough, run_outbox
from .test_cash_flow import DECLINE, OK, assert_ledger_ok, balance, machine_postings

pytestmark = [pytest.mark.simulators, pytest.mark.django_db]


def card_postings() -> int:
    return JournalTransaction.objects.filter(scope=services.SCOPE, kind="machine_card_in").count()


def test_an_approved_card_pays_the_bill_and_the_receipt_shows_the_authorisation(
    biller, machine, devices, jvvnl
):
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=OK)

    cash = services.charge_card(cash=cash, devices=devices)
    assert cash.state == CashState.PAYING
    run_outbox()
    cash = services.settle(key=cash.key)

    assert cash.state == CashState.PAID
    assert cash.method == PaymentMethod.CARD
    assert cash.charged == cash.total and cash.stacked == 0
    assert cash.card_auth.startswith("SIM")
    assert devices.card.charged_total() == cash.total
    assert balance(services.CARD_ACQUIRER) == -cash.total  # the acquirer owes it
    assert balance(services.VOUCHERS_PAYABLE) == 0  # exact amount: no change voucher
    payment = BillPayment.objects.get(machine_cash=cash)
    assert payment.state == PaymentState.SUCCESS and payment.total == cash.total

    paths = services.print_outcome(cash=cash, devices=devices)
    ops = decode(paths[0].read_bytes())
    assert ("text", f"Receipt: {payment.number}") in ops
    assert ("text", f"Paid by card, auth {cash.card_auth}") in ops
    assert_ledger_ok()


def test_a_replayed_card_request_charges_once(biller, machine, devices, jvvnl):
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=OK)
    stale = CashPayment.objects.get(pk=cash.pk)  # what a second tap had read

    first = services.charge_card(cash=cash, devices=devices)
    again = services.charge_card(cash=stale, devices=devices)

    assert again.pk == first.pk and again.state == first.state == CashState.PAYING
    assert devices.card.charged_total() == cash.total
    assert card_postings() == 1
    assert BillPayment.objects.count() == 1
    assert_ledger_ok()


def test_a_second_tap_while_the_card_is_being_charged_is_refused(biller, machine, devices, jvvnl):
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=OK)
    CashPayment.objects.filter(pk=cash.pk).update(state=CashState.CHARGING)

    with pytest.raises(errors.ChargeInProgress):
        services.charge_card(cash=cash, devices=devices)

    assert devices.card.charged_total() == 0
    assert machine_postings() == 0


def test_the_same_reader_reference_never_charges_twice(machine, devices):
    first = devices.card.charge(300_00, reference="mc-1:1")
    devices.card.inject_fault("decline")
    again = devices.card.charge(300_00, reference="mc-1:1")

    assert again == first and first.approved
    assert devices.card.charged_total() == 300_00


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("decline", errors.CardDeclined),
        ("fault", errors.CardReaderFault),
        ("timeout", errors.CardReaderFault),
    ],
)
def test_a_declined_or_failed_card_charges_nothing_and_the_citizen_may_try_again(
    biller, machine, devices, jvvnl, fault, error
):
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=OK)
    devices.card.inject_fault(fault)

    with pytest.raises(error):
        services.charge_card(cash=cash, devices=devices)

    cash.refresh_from_db()
    assert cash.state == CashState.COLLECTING
    assert cash.card_attempts == 1 and cash.fault
    assert devices.card.charged_total() == 0
    assert machine_postings() == 0
    assert not BillPayment.objects.exists()
    assert_ledger_ok()

    cash = services.charge_card(cash=cash, devices=devices)  # the next attempt goes through

    assert cash.state == CashState.PAYING and cash.card_attempts == 2
    assert devices.card.charged_total() == cash.total
    assert_ledger_ok()


def test_after_a_decline_the_citizen_pays_in_cash_instead(biller, machine, devices, jvvnl):
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=OK)
    devices.card.inject_fault("decline")
    with pytest.raises(errors.CardDeclined):
        services.charge_card(cash=cash, devices=devices)

    stacked = insert_enough(cash, devices)
    cash = services.confirm_cash_payment(cash=cash, devices=devices)
    run_outbox()
    cash = services.settle(key=cash.key)

    assert cash.state == CashState.PAID
    assert cash.method == PaymentMethod.CASH and cash.charged == 0 and cash.stacked == stacked
    assert card_postings() == 0
    assert_ledger_ok()


def test_a_card_is_refused_while_notes_are_in_escrow(biller, machine, devices, jvvnl):
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=OK)
    services.insert_note(cash=cash, note=100, devices=devices)

    with pytest.raises(errors.CashInEscrow):
        services.charge_card(cash=cash, devices=devices)

    cash.refresh_from_db()
    assert cash.state == CashState.COLLECTING and cash.card_attempts == 0
    assert devices.card.charged_total() == 0
    assert devices.cash.escrow() == 100_00


def test_a_biller_failure_after_an_approved_card_gives_a_refund_voucher(
    biller, machine, devices, jvvnl
):
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=DECLINE)

    services.charge_card(cash=cash, devices=devices)
    run_outbox()
    cash = services.settle(key=cash.key)

    assert cash.state == CashState.VOUCHERED
    refund = cash.vouchers.get(purpose=VoucherPurpose.REFUND)
    assert refund.amount == cash.total == cash.charged
    assert balance(services.VOUCHERS_PAYABLE) == cash.total
    assert balance(services.CARD_ACQUIRER) == -cash.total
    wallet = services.machine_wallet(machine)
    assert ledger_selectors.available_balance(wallet) == 0
    paths = services.print_outcome(cash=cash, devices=devices)
    assert any(("text", f"Voucher: {refund.number}") in decode(p.read_bytes()) for p in paths)
    assert services.charge_card(cash=cash, devices=devices).state == CashState.VOUCHERED
    assert devices.card.charged_total() == cash.total  # a late replay charges nothing more
    assert_ledger_ok()


def test_a_payment_already_paid_in_cash_cannot_be_charged_on_a_card(
    biller, machine, devices, jvvnl
):
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=OK)
    insert_enough(cash, devices)
    services.confirm_cash_payment(cash=cash, devices=devices)

    with pytest.raises(errors.NotCollecting):
        services.charge_card(cash=cash, devices=devices)
    assert devices.card.charged_total() == 0
