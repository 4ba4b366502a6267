"""A citizen pays a bill online: the gateway collects into gateway clearing, the biller saga
runs from the citizen's online account, and a biller failure is recorded as a refund owed."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from emitra.billpay import receipts
from emitra.billpay.models import BillPayment, PaymentState
from emitra.billpay.services import CITIZEN_REFUNDS, online_account
from emitra.billpay.tests.conftest import assert_ledger_ok, run_outbox
from emitra.core.errors import DomainError
from emitra.ledger import chart
from emitra.ledger.models import Account, JournalTransaction
from emitra.ledger.selectors import posted_balance
from emitra.payments import gateway
from emitra.payments.models import GatewayCallback
from emitra.portal import services
from emitra.portal.models import OnlineBill, OnlineState

pytestmark = [pytest.mark.simulators, pytest.mark.django_db]

PAYS = "1403567890"  # the biller simulator confirms at once (last digit 0)
DECLINES = "1403567894"  # the biller simulator declines (last digit 4)


def start(citizen, phed, consumer: str = PAYS, amount: int | None = None) -> OnlineBill:
    fetched = services.fetch_bill(citizen=citizen, biller=phed, consumer=consumer)
    return services.start_bill_payment(
        citizen=citizen,
        fetched=fetched,
        amount=fetched.amount if amount is None else amount,
        key=uuid.uuid4().hex,
        site_url="http://testserver",
    )


def refunds_owed() -> int:
    account = Account.objects.filter(code=CITIZEN_REFUNDS).first()
    return posted_balance(account) if account else 0


def test_a_paid_order_reaches_the_biller_and_gives_a_receipt(
    biller, citizen, phed, fake_gateway, call_back, citizen_client
):
    order = start(citizen, phed)
    assert order.state == OnlineState.PENDING
    assert fake_gateway[0]["callback_url"] == "http://testserver/my/gateway/callback/"
    assert fake_gateway[0]["amount"] == order.total

    response = call_back(order)

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.state == OnlineState.PAID
    payment = order.bill_payment
    assert payment is not None and payment.state == PaymentState.PENDING
    run_outbox()
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS
    assert payment.operator == citizen and payment.kiosk_category == ""
    assert posted_balance(online_account(citizen)) == 0
    assert posted_balance(chart.gateway_clearing()) == -order.total
    assert refunds_owed() == 0
    assert_ledger_ok()
    pdf = citizen_client.get(f"/my/receipts/{payment.number}/pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    home = citizen_client.get("/my/").content.decode()
    assert f'href="/my/receipts/{payment.number}/pdf"' in home  # "My documents"


def test_a_failed_gateway_payment_takes_no_money_and_starts_no_bill(
    biller, citizen, phed, fake_gateway, call_back
):
    order = start(citizen, phed)
    transactions = JournalTransaction.objects.count()

    call_back(order, "failed")

    order.refresh_from_db()
    assert order.state == OnlineState.FAILED
    assert order.bill_payment is None
    assert not BillPayment.objects.exists()
    assert JournalTransaction.objects.count() == transactions


def test_a_biller_decline_records_the_refund_owed_to_the_citizen(
    biller, citizen, phed, fake_gateway, call_back
):
    order = start(citizen, phed, DECLINES)
    call_back(order)
    run_outbox()

    order.refresh_from_db()
    assert order.bill_payment is not None
    assert order.bill_payment.state == PaymentState.FAILED
    assert posted_balance(online_account(citizen)) == 0
    assert refunds_owed() == order.total
    assert "refunded" in receipts.pdf_data(order.bill_payment)["note"]["en"]  # type: ignore[index]
    assert_ledger_ok()


def test_a_replayed_callback_changes_nothing(biller, citizen, phed, fake_gateway, call_back):
    order = start(citizen, phed)
    call_back(order)
    transactions = JournalTransaction.objects.count()

    again = call_back(order)

    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    assert BillPayment.objects.count() == 1
    assert JournalTransaction.objects.count() == transactions
    assert posted_balance(chart.gateway_clearing()) == -order.total


def test_a_forged_callback_is_refused_and_changes_nothing(
    biller, citizen, phed, fake_gateway, call_back
):
    order = start(citizen, phed)

    response = call_back(order, forged=True)

    assert response.status_code == 401
    order.refresh_from_db()
    assert order.state == OnlineState.PENDING
    assert not BillPayment.objects.exists()
    assert GatewayCallback.objects.filter(signature_valid=False).count() == 1


def test_a_bill_someone_else_started_meanwhile_is_refunded(
    biller, citizen, phed, fake_gateway, call_back, make_user
):
    first = start(citizen, phed)
    second = start(citizen, phed)  # the citizen paid twice from two tabs
    call_back(first)

    call_back(second)

    second.refresh_from_db()
    assert second.state == OnlineState.REFUNDED
    assert second.bill_payment is None
    assert refunds_owed() == second.total
    assert_ledger_ok()


def test_a_wrong_amount_is_refused_before_the_gateway(biller, citizen, phed, fake_gateway):
    fetched = services.fetch_bill(citizen=citizen, biller=phed, consumer=PAYS)

    with pytest.raises(DomainError):
        services.start_bill_payment(
            citizen=citizen,
            fetched=fetched,
            amount=10,
            key=uuid.uuid4().hex,
            site_url="http://testserver",
        )

    assert not OnlineBill.objects.exists()
    assert fake_gateway == []


def test_a_replayed_form_is_one_order(biller, citizen, phed, fake_gateway):
    fetched = services.fetch_bill(citizen=citizen, biller=phed, consumer=PAYS)
    key = uuid.uuid4().hex
    kwargs = {"citizen": citizen, "fetched": fetched, "amount": fetched.amount, "key": key}

    one = services.start_bill_payment(site_url="http://testserver", **kwargs)
    two = services.start_bill_payment(site_url="http://testserver", **kwargs)

    assert one.pk == two.pk
    assert len(fake_gateway) == 1


def test_an_order_whose_callback_never_came_is_settled_by_reconciliation(
    biller, citizen, phed, fake_gateway, monkeypatch
):
    order = start(citizen, phed)
    monkeypatch.setattr(
        gateway,
        "get_order",
        lambda order_id: gateway.GatewayOrder(
            order_id=order_id, merchant_order_id=order.number, amount=order.total, status="paid"
        ),
    )

    settled = services.reconcile_pending(older_than=timedelta(0))

    assert settled == 1
    order.refresh_from_db()
    assert order.state == OnlineState.PAID
    run_outbox()
    assert order.bill_payment is not None
    order.bill_payment.refresh_from_db()
    assert order.bill_payment.state == PaymentState.SUCCESS
    assert services.reconcile_pending(older_than=timedelta(0)) == 0
