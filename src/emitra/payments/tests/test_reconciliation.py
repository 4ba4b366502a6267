"""Top-ups whose callback never came are settled from the gateway's status API — by the
periodic job, or when the operator presses "Check status"; and a status check racing a
callback credits the wallet once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from emitra.core.jobs import JOBS
from emitra.core.models import AuditEntry
from emitra.ledger import services as ledger
from emitra.ledger.models import JournalTransaction
from emitra.payments import gateway, services
from emitra.payments.errors import GatewayUnavailable
from emitra.payments.models import (
    CallbackOutcome,
    FailureReason,
    GatewayCallback,
    SettledVia,
    TopUp,
    TopUpState,
)
from emitra.payments.tests.helpers import assert_ledger_holds, start_topup, wallet_balance

pytestmark = pytest.mark.simulators
NO_CALLBACK = "http://127.0.0.1:9"  # nothing listens: these tests drop or never need callbacks


def started_minutes_ago(topup: TopUp, minutes: int) -> None:
    TopUp.objects.filter(pk=topup.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


@pytest.mark.django_db
def test_the_reconciliation_job_runs_every_minute():
    job = JOBS["payments.reconcile_pending"]

    interval = job.every_seconds
    assert interval == 60


@pytest.mark.django_db
def test_a_dropped_callback_is_settled_by_the_reconciliation_job(payment_gateway, operator):
    topup = start_topup(operator, NO_CALLBACK)
    payment_gateway.pay(topup.gateway_order_id, drop_callback="1")
    assert payment_gateway.deliveries(topup.gateway_order_id)[0]["dropped"]
    started_minutes_ago(topup, 3)

    JOBS["payments.reconcile_pending"].fn()

    topup.refresh_from_db()
    assert topup.state == TopUpState.PAID
    assert topup.settled_via == SettledVia.STATUS_API
    assert topup.gateway_status == "paid"
    assert topup.gateway_checked_at is not None
    assert wallet_balance(operator) == topup.amount
    assert not GatewayCallback.objects.exists()
    assert_ledger_holds()


@pytest.mark.django_db
def test_the_job_leaves_top_ups_younger_than_two_minutes_to_their_callback(
    payment_gateway, operator
):
    topup = start_topup(operator, NO_CALLBACK)
    payment_gateway.pay(topup.gateway_order_id, drop_callback="1")

    summary = services.reconcile_pending()

    assert summary.checked == 0
    topup.refresh_from_db()
    assert topup.state == TopUpState.PENDING
    assert topup.gateway_checked_at is None


@pytest.mark.django_db
def test_an_operator_checks_their_pending_topup_and_it_is_settled(
    payment_gateway, client_as, operator
):
    client = client_as(operator.role, user=operator)
    topup = start_topup(operator, NO_CALLBACK)
    payment_gateway.pay(topup.gateway_order_id, drop_callback="1")
    assert topup.number in client.get("/wallet/").content.decode()

    response = client.post(f"/wallet/topups/{topup.number}/check/")

    assert response.status_code == 302
    assert response["Location"] == f"/wallet/topups/{topup.number}/"
    topup.refresh_from_db()
    assert topup.state == TopUpState.PAID
    assert wallet_balance(operator) == topup.amount
    checked = AuditEntry.objects.get(action="payments.topup_checked")
    assert checked.actor == operator
    assert checked.after == {"gateway_status": "paid", "outcome": CallbackOutcome.CREDITED}
    assert_ledger_holds()


@pytest.mark.django_db
def test_check_status_over_htmx_answers_with_the_status_block(payment_gateway, client_as, operator):
    client = client_as(operator.role, user=operator)
    topup = start_topup(operator, NO_CALLBACK)

    response = client.post(f"/wallet/topups/{topup.number}/check/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="topup-status"')
    assert "<html" not in body
    topup.refresh_from_db()
    assert (topup.state, topup.gateway_status) == (TopUpState.PENDING, "created")


@pytest.mark.django_db
def test_an_unpaid_order_stays_pending_until_it_expires_at_the_gateway(payment_gateway, operator):
    topup = start_topup(operator, NO_CALLBACK)

    still_open = services.reconcile_topup(topup=topup)
    payment_gateway.faults(order_id=topup.gateway_order_id, expire=True)
    expired = services.reconcile_topup(topup=still_open)

    assert (still_open.state, still_open.gateway_status) == (TopUpState.PENDING, "created")
    assert expired.state == TopUpState.FAILED
    assert expired.failure_reason == FailureReason.EXPIRED
    assert wallet_balance(operator) == 0


@pytest.mark.django_db
def test_a_gateway_outage_at_start_leaves_the_topup_created_and_resubmitting_resumes_it(
    payment_gateway, operator
):
    payment_gateway.faults(fail_create=1)
    key = "resubmitted-form-key"

    with pytest.raises(GatewayUnavailable):
        services.start_topup(operator=operator, amount=700_00, key=key, site_url=NO_CALLBACK)
    stuck = TopUp.objects.get(operator=operator)
    resumed = services.start_topup(operator=operator, amount=700_00, key=key, site_url=NO_CALLBACK)

    assert stuck.state == TopUpState.CREATED
    assert resumed.pk == stuck.pk
    assert resumed.state == TopUpState.PENDING
    assert payment_gateway.order(resumed.gateway_order_id)["merchant_order_id"] == stuck.number


@pytest.mark.django_db
def test_a_topup_that_never_reached_the_gateway_is_failed_by_reconciliation(
    payment_gateway, operator
):
    payment_gateway.faults(fail_create=1)
    with pytest.raises(GatewayUnavailable):
        start_topup(operator, NO_CALLBACK)
    topup = TopUp.objects.get(operator=operator)
    started_minutes_ago(topup, 3)

    summary = services.reconcile_pending()

    assert (summary.checked, summary.failed) == (1, 1)
    topup.refresh_from_db()
    assert topup.state == TopUpState.FAILED
    assert topup.failure_reason == FailureReason.NOT_SENT


@pytest.mark.django_db
def test_an_order_made_but_never_recorded_is_found_by_our_number_and_settled(
    payment_gateway, operator
):
    # The process died after the gateway made the order and before record_order ran.
    topup = services.create_topup(operator=operator, amount=900_00, key="died-after-order")
    order = gateway.create_order(
        merchant_order_id=topup.number,
        amount=topup.amount,
        return_url=NO_CALLBACK,
        callback_url=NO_CALLBACK,
    )
    payment_gateway.pay(order.order_id, drop_callback="1")
    started_minutes_ago(topup, 3)

    services.reconcile_pending()

    topup.refresh_from_db()
    assert topup.gateway_order_id == order.order_id
    assert topup.state == TopUpState.PAID
    assert wallet_balance(operator) == 900_00
    assert_ledger_holds()


@pytest.mark.django_db
def test_a_gateway_outage_during_reconciliation_changes_nothing(payment_gateway, operator):
    topup = start_topup(operator, NO_CALLBACK)
    payment_gateway.pay(topup.gateway_order_id, drop_callback="1")
    started_minutes_ago(topup, 3)
    payment_gateway.faults(fail_status=1)

    summary = services.reconcile_pending()

    assert (summary.checked, summary.unreachable) == (0, 1)
    topup.refresh_from_db()
    assert topup.state == TopUpState.PENDING
    assert wallet_balance(operator) == 0


@pytest.mark.django_db
def test_the_ledger_key_is_the_topup_number_so_a_second_credit_is_the_first_one(
    payment_gateway, operator
):
    topup = start_topup(operator, NO_CALLBACK)
    payment_gateway.pay(topup.gateway_order_id, drop_callback="1")
    settled = services.reconcile_topup(topup=topup)

    # As if a racing path had got past the state check: the ledger answers with the first.
    again = ledger.transfer(
        legs=[ledger.Leg(services.gateway_clearing(), settled.wallet, settled.amount)],
        kind="topup",
        scope=services.LEDGER_SCOPE,
        key=settled.number,
    )

    assert again.pk == settled.journal_transaction_id
    assert wallet_balance(operator) == settled.amount


@pytest.mark.django_db(transaction=True)
def test_a_status_check_racing_the_callback_credits_once(payment_gateway, live_server, operator):
    topups = [start_topup(operator, live_server.url, amount=(i + 1) * 100_00) for i in range(4)]
    for topup in topups:
        payment_gateway.pay(topup.gateway_order_id, drop_callback="1")
    errors: list[BaseException] = []

    def check(topup: TopUp, start: threading.Barrier) -> None:
        try:
            start.wait()
            services.reconcile_topup(topup=topup)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    def call_back(topup: TopUp, start: threading.Barrier) -> None:
        try:
            start.wait()
            assert payment_gateway.redeliver(topup.gateway_order_id)["http_status"] == 200
        except BaseException as exc:
            errors.append(exc)

    for topup in topups:
        start = threading.Barrier(3)
        racers = [
            threading.Thread(target=check, args=(topup, start)),
            threading.Thread(target=check, args=(topup, start)),
            threading.Thread(target=call_back, args=(topup, start)),
        ]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join(timeout=60)

    assert errors == []
    total = sum(t.amount for t in topups)
    assert wallet_balance(operator) == total
    for topup in topups:
        topup.refresh_from_db()
        assert topup.state == TopUpState.PAID
        assert JournalTransaction.objects.filter(scope="topup", key=topup.number).count() == 1
        # The callback either credited (it won) or found the top-up already paid.
        assert topup.callbacks.get().outcome in (
            CallbackOutcome.CREDITED,
            CallbackOutcome.DUPLICATE,
        )
    assert_ledger_holds()
