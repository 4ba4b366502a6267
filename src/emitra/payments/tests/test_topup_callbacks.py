"""Top-ups over real HTTP: the operator's browser on the live server, the payment gateway
simulator in its own process, and its signed callbacks arriving at the live server.

The callback needs an HTTP server the simulator can reach, so these tests use pytest-django's
`live_server` (and therefore transactional databases): the path under test is the real one —
the simulator signs and POSTs, Django verifies, logs and credits — not a replay into the test
client.
"""

from __future__ import annotations

import json

import httpx
import pytest

from emitra.ledger.models import JournalTransaction
from emitra.payments import gateway, services
from emitra.payments.models import (
    CallbackOutcome,
    GatewayCallback,
    SettledVia,
    TopUp,
    TopUpState,
)
from emitra.payments.tests.helpers import (
    assert_ledger_holds,
    post_callback,
    shown,
    start_topup,
    wallet_balance,
)

pytestmark = [pytest.mark.simulators, pytest.mark.django_db(transaction=True)]


def outcomes(topup: TopUp) -> list[str]:
    return list(topup.callbacks.order_by("id").values_list("outcome", flat=True))


def topup_transactions(topup: TopUp) -> int:
    return JournalTransaction.objects.filter(scope="topup", key=topup.number).count()


def test_an_operator_tops_up_on_the_hosted_page_and_the_wallet_is_credited(
    browser, payment_gateway, live_server, operator
):
    assert "₹0.00" in browser.get("/wallet/").text

    submitted = browser.submit_topup("1,500")

    assert submitted.status_code == 303
    payment_page = submitted.headers["Location"]
    assert payment_page.startswith(f"{payment_gateway.url}/pay/")
    order_id = payment_page.rsplit("/", 1)[1]
    page = httpx.get(payment_page)
    assert "₹1,500.00" in page.text
    assert 'value="pay"' in page.text.replace("'", '"')
    assert 'value="fail"' in page.text.replace("'", '"')
    topup = TopUp.objects.get(operator=operator)
    assert (topup.state, topup.gateway_order_id) == (TopUpState.PENDING, order_id)

    paid = payment_gateway.pay(order_id)

    # The simulator called back before sending the browser back to e-Mitra.
    assert paid.status_code == 303
    return_url = paid.headers["Location"]
    assert return_url.startswith(f"{live_server.url}/wallet/topups/{topup.number}/")
    outcome = browser.get(return_url)
    assert outcome.status_code == 200
    assert shown("Paid: %(amount)s was added to your wallet.", amount="₹1,500.00") in outcome.text
    topup.refresh_from_db()
    assert topup.state == TopUpState.PAID
    assert topup.settled_via == SettledVia.CALLBACK
    assert topup.gateway_status == "paid"
    assert wallet_balance(operator) == 1_500_00
    assert outcomes(topup) == [CallbackOutcome.CREDITED]
    callback = topup.callbacks.get()
    assert callback.signature_valid
    assert json.loads(callback.raw_body)["order_id"] == order_id
    txn = topup.journal_transaction
    assert txn is not None
    entries = {e.account.code: e.amount for e in txn.entries.all()}
    assert entries == {
        topup.wallet.code: 1_500_00,
        services.GATEWAY_CLEARING_CODE: -1_500_00,
    }
    assert txn.cause_id == topup.number
    wallet_page = browser.get("/wallet/").text
    assert "₹1,500.00" in wallet_page
    assert_ledger_holds()


def test_a_failed_payment_credits_nothing(payment_gateway, live_server, operator):
    topup = start_topup(operator, live_server.url)

    payment_gateway.fail(topup.gateway_order_id)

    topup.refresh_from_db()
    assert topup.state == TopUpState.FAILED
    assert topup.failure_reason == "declined"
    assert wallet_balance(operator) == 0
    assert outcomes(topup) == [CallbackOutcome.FAILED]
    assert topup_transactions(topup) == 0
    assert_ledger_holds()


def test_a_forged_callback_is_refused_logged_and_credits_nothing(
    payment_gateway, live_server, operator
):
    topup = start_topup(operator, live_server.url)
    claim = json.dumps(
        {
            "event": "order.paid",
            "order_id": topup.gateway_order_id,
            "merchant_order_id": topup.number,
            "amount_paise": topup.amount,
            "status": "paid",
        }
    ).encode()
    genuine_for_less = json.dumps(
        {**json.loads(claim), "amount_paise": 1_00}, separators=(",", ":")
    ).encode()

    refused = [
        post_callback(live_server.url, claim, signature="0" * 64),  # made up
        post_callback(live_server.url, claim, signature=""),  # missing
        # A genuine signature, but over another body (the amount was changed after signing).
        post_callback(live_server.url, claim, signature=gateway.sign(genuine_for_less)),
    ]

    assert [r.status_code for r in refused] == [401, 401, 401]
    topup.refresh_from_db()
    assert topup.state == TopUpState.PENDING
    assert wallet_balance(operator) == 0
    logged = GatewayCallback.objects.order_by("id")
    assert [(c.outcome, c.signature_valid, c.topup_id) for c in logged] == [
        (CallbackOutcome.FORGED, False, None)
    ] * 3
    assert logged[0].raw_body == claim.decode()

    # The genuine payment afterwards still credits, once.
    payment_gateway.pay(topup.gateway_order_id)
    assert wallet_balance(operator) == topup.amount
    assert_ledger_holds()


def test_a_replayed_callback_credits_once(payment_gateway, live_server, operator):
    topup = start_topup(operator, live_server.url)
    payment_gateway.pay(topup.gateway_order_id)
    delivered = payment_gateway.deliveries(topup.gateway_order_id)[0]

    # The gateway's own "resend webhook", then the captured request replayed byte for byte.
    assert payment_gateway.redeliver(topup.gateway_order_id)["http_status"] == 200
    for _ in range(3):
        replay = post_callback(
            live_server.url, delivered["body"].encode(), signature=delivered["signature"]
        )
        assert replay.status_code == 200

    assert wallet_balance(operator) == topup.amount
    assert topup_transactions(topup) == 1
    assert outcomes(topup) == [CallbackOutcome.CREDITED] + [CallbackOutcome.DUPLICATE] * 4
    assert_ledger_holds()


def test_a_callback_delivered_twice_credits_once(payment_gateway, live_server, operator):
    topup = start_topup(operator, live_server.url)

    payment_gateway.pay(topup.gateway_order_id, duplicate_callback="1")

    assert wallet_balance(operator) == topup.amount
    assert outcomes(topup) == [CallbackOutcome.CREDITED, CallbackOutcome.DUPLICATE]
    assert_ledger_holds()


def test_failed_after_paid_is_logged_and_flagged_and_changes_nothing(
    payment_gateway, live_server, operator
):
    topup = start_topup(operator, live_server.url)

    payment_gateway.pay(topup.gateway_order_id, contradict_callback="1")

    topup.refresh_from_db()
    assert topup.state == TopUpState.PAID
    assert topup.flagged
    assert "failed" in topup.flag_reason
    assert outcomes(topup) == [CallbackOutcome.CREDITED, CallbackOutcome.CONTRADICTION]
    assert wallet_balance(operator) == topup.amount
    assert topup_transactions(topup) == 1
    assert_ledger_holds()


def test_paid_after_failed_is_logged_and_flagged_and_credits_nothing(
    payment_gateway, live_server, operator
):
    topup = start_topup(operator, live_server.url)

    payment_gateway.fail(topup.gateway_order_id, contradict_callback="1", duplicate_callback="1")

    topup.refresh_from_db()
    assert topup.state == TopUpState.FAILED
    assert topup.flagged
    assert outcomes(topup) == [
        CallbackOutcome.FAILED,
        CallbackOutcome.DUPLICATE,
        CallbackOutcome.CONTRADICTION,
        CallbackOutcome.CONTRADICTION,
    ]
    assert wallet_balance(operator) == 0
    assert topup_transactions(topup) == 0
    assert_ledger_holds()


def test_a_delayed_callback_leaves_the_topup_pending_after_the_browser_returns(
    payment_gateway, browser, live_server, operator
):
    topup = start_topup(operator, live_server.url)

    paid = payment_gateway.pay(topup.gateway_order_id, delay_seconds="60")

    assert paid.status_code == 303
    page = browser.get(paid.headers["Location"])
    assert shown("Pending: waiting for the payment gateway to confirm the payment.") in page.text
    assert 'hx-trigger="every 3s"' in page.text
    topup.refresh_from_db()
    assert topup.state == TopUpState.PENDING
    assert wallet_balance(operator) == 0
    # The gateway already says "paid": the operator's "Check status" settles it now.
    assert payment_gateway.order(topup.gateway_order_id)["status"] == "paid"
    checked = services.reconcile_topup(topup=topup, actor=operator)
    assert checked.state == TopUpState.PAID
    assert wallet_balance(operator) == topup.amount
    assert_ledger_holds()
