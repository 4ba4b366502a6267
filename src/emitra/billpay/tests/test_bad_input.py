"""Bad input is refused with a clear, translated message, and money is untouched (or, for a
biller that fails after the hold, fully restored)."""

from __future__ import annotations

import pytest
from django.utils import translation

from conftest import give_kiosk
from emitra.accounts.roles import Role
from emitra.billpay import errors, services
from emitra.billpay.models import Biller, BillPayment, FetchedBill, PaymentState
from emitra.billpay.tests.conftest import (
    FUNDS,
    assert_ledger_ok,
    available,
    fund,
    k_number,
    new_key,
    run_outbox,
)
from emitra.core.errors import DomainError, PermissionDenied
from emitra.core.models import OutboxMessage
from emitra.kiosks.errors import KioskNotActive, NoKiosk
from emitra.ledger.errors import InsufficientFunds
from emitra.ledger.models import Hold

pytestmark = [pytest.mark.simulators, pytest.mark.django_db]


def _nothing_happened(wallet, *, fetches: int = 0) -> None:
    assert BillPayment.objects.count() == 0
    assert Hold.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert FetchedBill.objects.count() == fetches
    assert available(wallet) == FUNDS


@pytest.mark.parametrize("consumer", ["12345", "2105123456701", "21051234567A", "", "٢١٠٥١٢٣٤٥٦٧٠"])
def test_a_malformed_consumer_number_is_refused_before_any_call(
    biller, operator, wallet, jvvnl, consumer
):
    with pytest.raises(errors.InvalidConsumerNumber) as refused:
        services.fetch_bill(operator=operator, biller=jvvnl, consumer=consumer)

    assert refused.value.message == "Enter a valid K-number (12 digits), for example 210512345670."
    with translation.override("hi"):
        assert str(refused.value.message)  # a message exists in Hindi too (lead translates)
    assert biller.payments() == []
    _nothing_happened(wallet)


def test_spaces_and_hyphens_in_a_consumer_number_are_ignored(biller, operator, jvvnl):
    bill = services.fetch_bill(operator=operator, biller=jvvnl, consumer="2105-1234 5670")
    assert bill.consumer == "210512345670"
    typed_in_hindi = services.fetch_bill(operator=operator, biller=jvvnl, consumer="२१०५१२३४५६७०")
    assert typed_in_hindi.consumer == "210512345670"


def test_an_unknown_biller_is_refused():
    with pytest.raises(errors.UnknownBiller):
        services.biller_by_code("no-such-biller")


def test_an_inactive_biller_is_refused(catalog):
    Biller.objects.filter(code="dth").update(is_active=False)
    with pytest.raises(errors.UnknownBiller):
        services.biller_by_code("dth")


def test_a_consumer_the_biller_does_not_know_is_reported(biller, operator, wallet, jvvnl):
    with pytest.raises(errors.ConsumerNotFound):
        services.fetch_bill(operator=operator, biller=jvvnl, consumer="000012345670")
    _nothing_happened(wallet)


def test_a_garbage_answer_to_fetch_is_a_clear_message(biller, operator, wallet, jvvnl):
    with pytest.raises(errors.BillerGarbage) as refused:
        services.fetch_bill(operator=operator, biller=jvvnl, consumer="210512345699")
    assert "could not be read" in str(refused.value.message)
    _nothing_happened(wallet)


def test_a_biller_that_does_not_answer_is_a_clear_message(operator, wallet, jvvnl, settings):
    settings.BILLER_URL = "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(errors.BillerUnavailable) as refused:
        services.fetch_bill(operator=operator, biller=jvvnl, consumer=k_number(0))
    assert "not answering" in str(refused.value.message)
    _nothing_happened(wallet)


def _pay(operator, biller_code, consumer, amount, **extra):
    return services.pay_bill(
        operator=operator,
        biller=Biller.objects.get(code=biller_code),
        consumer=consumer,
        amount=amount,
        key=extra.pop("key", None) or new_key(),
        **extra,
    )


def test_paying_without_fetching_first_is_refused(biller, operator, wallet):
    with pytest.raises(errors.FetchFirst):
        _pay(operator, "jvvnl", k_number(0), 500_00)
    _nothing_happened(wallet)


@pytest.mark.parametrize(
    ("code", "consumer", "delta", "error"),
    [
        ("jvvnl", "210512345670", -100, errors.PartPaymentNotAllowed),  # full bill only
        ("jvvnl", "210512345670", +100, errors.AmountAboveBill),
        ("phed", "1403567890", +100, errors.AmountAboveBill),
        ("phed", "1403567890", "min-1", errors.AmountBelowMinimum),
        ("dth", "1012345670", "min-1", errors.AmountBelowMinimum),
    ],
)
def test_amounts_outside_the_billers_rules_are_refused(
    biller, operator, wallet, code, consumer, delta, error
):
    row = Biller.objects.get(code=code)
    bill = services.fetch_bill(operator=operator, biller=row, consumer=consumer)
    amount = row.min_amount - 1 if delta == "min-1" else bill.amount + int(delta)

    with pytest.raises(error) as refused:
        _pay(operator, code, consumer, amount)

    assert "₹" in str(refused.value.message)
    _nothing_happened(wallet, fetches=1)


def test_part_payment_and_recharges_above_the_bill_are_accepted_where_allowed(
    biller, operator, wallet
):
    water = services.fetch_bill(
        operator=operator, biller=Biller.objects.get(code="phed"), consumer="1403567890"
    )
    part = _pay(operator, "phed", "1403567890", water.amount - 100_00)
    dth = services.fetch_bill(
        operator=operator, biller=Biller.objects.get(code="dth"), consumer="1012345670"
    )
    more = _pay(operator, "dth", "1012345670", dth.amount + 500_00)
    run_outbox()

    part.refresh_from_db()
    more.refresh_from_db()
    assert (part.state, more.state) == (PaymentState.SUCCESS, PaymentState.SUCCESS)
    assert part.amount == water.amount - 100_00
    assert_ledger_ok()


def test_a_wallet_without_funds_is_refused_and_nothing_is_held(biller, make_user, jvvnl):
    poor = make_user(Role.OPERATOR)
    give_kiosk(poor)
    wallet = fund(poor, 100_00)  # ₹100: less than any simulated bill
    bill = services.fetch_bill(operator=poor, biller=jvvnl, consumer=k_number(0))

    with pytest.raises(InsufficientFunds) as refused:
        _pay(poor, "jvvnl", k_number(0), bill.amount)

    assert "Top up the wallet first" in str(refused.value.message)
    assert BillPayment.objects.count() == 0
    assert Hold.objects.count() == 0
    assert available(wallet) == 100_00


def test_an_operator_without_a_wallet_is_refused(biller, make_user, catalog, jvvnl):
    broke = make_user(Role.OPERATOR)
    give_kiosk(broke)
    bill = services.fetch_bill(operator=broke, biller=jvvnl, consumer=k_number(0))
    with pytest.raises(InsufficientFunds):
        _pay(broke, "jvvnl", k_number(0), bill.amount)
    assert BillPayment.objects.count() == 0


def test_a_second_payment_is_refused_while_one_is_pending(biller, pay, operator, make_user):
    first = pay(k_number(7))  # late success: stays pending until the worker runs
    other = make_user(Role.OPERATOR)
    give_kiosk(other)
    fund(other)

    with pytest.raises(errors.PaymentInProgress) as refused:
        pay(k_number(7), who=other)

    assert first.number in str(refused.value.message)
    assert BillPayment.objects.count() == 1


def test_a_bill_paid_recently_is_paid_again_only_on_purpose(biller, pay, wallet):
    first = pay(k_number(0))
    run_outbox()

    with pytest.raises(errors.RecentlyPaid) as warned:
        pay(k_number(0))
    assert first.number in str(warned.value.message)

    again = pay(k_number(0), pay_again=True)
    assert again.number != first.number
    run_outbox()
    assert_ledger_ok()


def test_the_same_key_twice_is_one_payment_and_another_request_with_it_is_refused(
    biller, pay, wallet
):
    first = pay(k_number(0), key="same-key-0001")
    replay = pay(k_number(0), key="same-key-0001")
    assert replay.pk == first.pk
    assert Hold.objects.count() == 1

    with pytest.raises(errors.PaymentKeyReused):
        pay(k_number(0), key="same-key-0001", mobile="9876543210")


def test_a_bad_mobile_number_is_refused(biller, pay, wallet):
    with pytest.raises(errors.InvalidMobile):
        pay(k_number(0), mobile="12345")
    assert BillPayment.objects.count() == 0


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.STATE_ADMIN, Role.LSP])
def test_only_operators_pay_bills(biller, make_user, catalog, jvvnl, role):
    someone = make_user(role)
    with pytest.raises(PermissionDenied):
        services.fetch_bill(operator=someone, biller=jvvnl, consumer=k_number(0))
    with pytest.raises(DomainError):
        _pay(someone, "jvvnl", k_number(0), 500_00)
    assert FetchedBill.objects.count() == 0


@pytest.mark.parametrize("status", ["suspended", "terminated", "trained"])
def test_a_kiosk_that_is_not_active_can_neither_fetch_nor_pay(biller, make_user, jvvnl, status):
    operator = make_user(Role.OPERATOR)
    give_kiosk(operator, status=status)
    wallet = fund(operator)
    before = available(wallet)

    with pytest.raises(KioskNotActive):
        services.fetch_bill(operator=operator, biller=jvvnl, consumer=k_number(0))
    with pytest.raises(KioskNotActive):
        _pay(operator, "jvvnl", k_number(0), 500_00)

    assert BillPayment.objects.count() == 0
    assert Hold.objects.count() == 0
    assert available(wallet) == before


def test_an_operator_without_a_kiosk_cannot_fetch(biller, make_user, jvvnl):
    with pytest.raises(NoKiosk):
        services.fetch_bill(operator=make_user(Role.OPERATOR), biller=jvvnl, consumer=k_number(0))
