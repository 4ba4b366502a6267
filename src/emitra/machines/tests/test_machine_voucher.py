"""A refund voucher used at the machine towards a bill: partly (cash or a card pays the rest)
or wholly (the excess comes back as change), given back if the citizen cancels, used once."""

from __future__ import annotations

import uuid

import pytest

from emitra.ledger.models import JournalTransaction
from emitra.machines import errors, services
from emitra.machines.models import CashPayment, CashState, RefundVoucher, VoucherPurpose

from .conftest import run_outbox
from .test_cash_flow import DECLINE, OK, assert_ledger_ok, balance
from .test_views import machine_client, post_json

pytestmark = [pytest.mark.simulators, pytest.mark.django_db]


def a_voucher_of(amount: int, machine, biller_row) -> RefundVoucher:
    """A voucher for `amount` owed by an earlier payment (its money credited to the wallet
    the way stacked cash is, then owed back)."""
    earlier = CashPayment.objects.create(
        key=f"mc-{uuid.uuid4().hex}",
        machine=machine,
        biller=biller_row,
        consumer=OK,
        amount=amount,
        total=amount,
    )
    services._take_cash(earlier, amount)
    return services.issue_voucher(
        cash=earlier, purpose=VoucherPurpose.REFUND, amount=amount, reason="test"
    )


def insert_due(cash: CashPayment, devices) -> int:
    escrow = 0
    while escrow < cash.due:
        escrow = services.insert_note(cash=cash, note=100, devices=devices)
    return escrow


def test_a_voucher_pays_part_of_a_bill_and_cash_the_rest(biller, machine, devices, jvvnl):
    voucher = a_voucher_of(100_00, machine, jvvnl)
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=OK)

    cash = services.apply_voucher(cash=cash, code=voucher.code)
    assert cash.credited == 100_00 and cash.due == cash.total - 100_00
    stacked = insert_due(cash, devices)
    services.confirm_cash_payment(cash=cash, devices=devices)
    run_outbox()
    cash = services.settle(key=cash.key)

    assert cash.state == CashState.PAID and cash.stacked == stacked
    voucher.refresh_from_db()
    assert voucher.redeemed_at is not None and voucher.applied_to == cash
    change = stacked + 100_00 - cash.total
    assert balance(services.VOUCHERS_PAYABLE) == change  # the used voucher is no longer owed
    assert_ledger_ok()


def test_a_card_pays_what_the_voucher_does_not(biller, machine, devices, jvvnl):
    voucher = a_voucher_of(100_00, machine, jvvnl)
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=OK)
    services.apply_voucher(cash=cash, code=voucher.code)

    cash = services.charge_card(cash=cash, devices=devices)

    assert cash.charged == cash.total - 100_00 == devices.card.charged_total()
    run_outbox()
    assert services.settle(key=cash.key).state == CashState.PAID
    assert balance(services.VOUCHERS_PAYABLE) == 0
    assert_ledger_ok()


def test_a_voucher_covering_the_bill_pays_it_and_the_excess_is_change(
    biller, machine, devices, jvvnl
):
    voucher = a_voucher_of(6000_00, machine, jvvnl)  # more than any simulated bill
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=OK)
    cash = services.apply_voucher(cash=cash, code=voucher.code)
    assert cash.due == 0
    with pytest.raises(errors.NothingToCharge):
        services.charge_card(cash=cash, devices=devices)

    services.confirm_cash_payment(cash=cash, devices=devices)
    with pytest.raises(errors.NotCollecting):  # a double tap pays once
        services.confirm_cash_payment(cash=cash, devices=devices)
    run_outbox()
    cash = services.settle(key=cash.key)

    assert cash.state == CashState.PAID and cash.stacked == 0 and cash.charged == 0
    change = cash.vouchers.get(purpose=VoucherPurpose.CHANGE)
    assert change.amount == 6000_00 - cash.total and change.code != voucher.code
    assert balance(services.VOUCHERS_PAYABLE) == change.amount
    assert devices.card.charged_total() == 0 and devices.cash.box_total() == 0
    assert_ledger_ok()


def test_a_cancelled_payment_gives_the_voucher_back_to_be_used_again(
    biller, machine, devices, jvvnl, make_user
):
    from conftest import give_kiosk
    from emitra.accounts.roles import Role

    voucher = a_voucher_of(100_00, machine, jvvnl)
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=OK)
    services.apply_voucher(cash=cash, code=voucher.code)
    services.insert_note(cash=cash, note=100, devices=devices)

    assert services.cancel_cash_payment(cash=cash, devices=devices) == 100_00

    cash.refresh_from_db()
    voucher.refresh_from_db()
    assert cash.state == CashState.RETURNED and cash.credited == 0
    assert voucher.redeemed_at is None and voucher.applied_to is None
    assert balance(services.VOUCHERS_PAYABLE) == 100_00
    counter = make_user(Role.OPERATOR, full_name="Counter")
    give_kiosk(counter)
    assert services.pay_out_voucher(operator=counter, code=voucher.code).redeemed_by == counter
    assert balance(services.VOUCHERS_PAYABLE) == 0
    assert_ledger_ok()


def test_a_voucher_is_used_once_and_one_per_payment(biller, machine, devices, jvvnl):
    voucher = a_voucher_of(100_00, machine, jvvnl)
    other = a_voucher_of(50_00, machine, jvvnl)
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=OK)
    services.apply_voucher(cash=cash, code=voucher.code)

    with pytest.raises(errors.VoucherAlreadyApplied):
        services.apply_voucher(cash=cash, code=other.code)
    second = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=DECLINE)
    with pytest.raises(errors.VoucherRedeemed):
        services.apply_voucher(cash=second, code=voucher.code)
    with pytest.raises(errors.UnknownVoucher):
        services.apply_voucher(cash=second, code="000000000000")

    assert JournalTransaction.objects.filter(kind="machine_voucher_applied").count() == 1
    assert_ledger_ok()


def test_a_bill_failure_owes_back_the_voucher_and_the_cash(biller, machine, devices, jvvnl):
    voucher = a_voucher_of(100_00, machine, jvvnl)
    cash = services.start_cash_payment(machine=machine, biller=jvvnl, consumer=DECLINE)
    services.apply_voucher(cash=cash, code=voucher.code)
    stacked = insert_due(cash, devices)

    services.confirm_cash_payment(cash=cash, devices=devices)
    run_outbox()
    cash = services.settle(key=cash.key)

    assert cash.state == CashState.VOUCHERED
    owed = sum(cash.vouchers.values_list("amount", flat=True))
    assert owed == stacked + 100_00
    assert balance(services.VOUCHERS_PAYABLE) == owed
    assert_ledger_ok()


def test_the_machine_screens_take_a_voucher_code_then_the_bill(biller, machine_and_token, jvvnl):
    machine, token = machine_and_token
    voucher = a_voucher_of(6000_00, machine, jvvnl)
    client = machine_client(token)
    client.post("/machine/language/", {"language": "en"})  # read the messages in English
    assert 'href="/machine/voucher/"' in client.get("/machine/").content.decode()

    wrong = client.post("/machine/voucher/", {"code": "000000000000"})
    assert "No refund voucher has this code" in wrong.content.decode()
    right = client.post("/machine/voucher/", {"code": voucher.code})
    assert right["Location"] == "/machine/bills/"
    assert 'id="voucher-held"' in client.get("/machine/bills/").content.decode()
    client.post("/machine/bills/jvvnl/", {"consumer": OK})
    page = client.get("/machine/pay/").content.decode()
    assert 'id="voucher-pay"' in page and 'id="bill-credited"' in page

    state = post_json(client, "/machine/api/cash/confirm").json()

    assert state["state"] == CashState.PAYING and state["credited"]
    run_outbox()
    assert client.get("/machine/api/payment").json()["state"] == CashState.PAID
