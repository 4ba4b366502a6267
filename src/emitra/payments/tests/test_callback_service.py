"""handle_callback on its own: signed bodies made here (with the merchant secret the gateway
shares) exercise the cases the simulator does not produce — tampered amounts, garbage,
unknown orders, a callback that beats `record_order` — through the real callback URL."""

from __future__ import annotations

import json

import pytest

from emitra.core.models import AuditEntry
from emitra.payments import gateway, services
from emitra.payments.models import CallbackOutcome, GatewayCallback, TopUp, TopUpState
from emitra.payments.tests.helpers import assert_ledger_holds, wallet_balance

CALLBACK = "/payments/gateway/callback/"


@pytest.fixture(autouse=True)
def merchant_secret(settings):
    settings.PAYMENT_GATEWAY_SECRET = "service-test-secret"


def event(topup: TopUp, status: str = "paid", **changes) -> bytes:
    body = {
        "event": f"order.{status}",
        "event_id": "evt_test",
        "order_id": topup.gateway_order_id or "pgo_beats_record",
        "merchant_order_id": topup.number,
        "amount_paise": topup.amount,
        "status": status,
        **changes,
    }
    return json.dumps(body).encode()


def send(client, body: bytes, signature: str | None = None):
    return client.post(
        CALLBACK,
        body,
        content_type="application/json",
        headers={"X-Signature": gateway.sign(body) if signature is None else signature},
    )


@pytest.fixture
def pending(operator):
    topup = services.create_topup(operator=operator, amount=800_00, key="callback-service")
    TopUp.objects.filter(pk=topup.pk).update(
        state=TopUpState.PENDING, gateway_order_id="pgo_service_test"
    )
    topup.refresh_from_db()
    return topup


@pytest.mark.django_db
def test_the_callback_endpoint_needs_no_login_or_csrf_token_only_a_signature(pending, operator):
    from django.test import Client

    response = send(Client(enforce_csrf_checks=True), event(pending))

    assert response.status_code == 200
    assert response.json() == {"outcome": "credited"}
    assert wallet_balance(operator) == 800_00
    assert_ledger_holds()


@pytest.mark.django_db
def test_the_callback_endpoint_answers_only_post(client):
    assert client.get(CALLBACK).status_code == 405


@pytest.mark.django_db
def test_a_forged_callback_leaves_an_audit_row(client, pending):
    send(client, event(pending), signature="f" * 64)

    logged = GatewayCallback.objects.get()
    refused = AuditEntry.objects.get(action="payments.callback_refused")
    assert refused.object_id == str(logged.pk)
    assert refused.after == {"reason": "signature"}


@pytest.mark.django_db
def test_a_non_ascii_signature_is_refused_not_an_error(client, pending):
    response = send(client, event(pending), signature="सही-हस्ताक्षर")

    assert response.status_code == 401


@pytest.mark.django_db
def test_a_signed_callback_for_another_amount_is_flagged_and_credits_nothing(
    client, pending, operator
):
    response = send(client, event(pending, amount_paise=80_000_00))

    assert response.json() == {"outcome": "amount_mismatch"}
    pending.refresh_from_db()
    assert pending.state == TopUpState.PENDING
    assert pending.flagged
    assert wallet_balance(operator) == 0


@pytest.mark.django_db
def test_a_malformed_callback_is_refused(client, pending):
    responses = [
        send(client, b"not json"),
        send(client, b"[1, 2]"),
        send(client, json.dumps({"order_id": pending.gateway_order_id}).encode()),
        send(client, b"{" + b" " * services.MAX_CALLBACK_BYTES + b"}"),
    ]

    assert [r.status_code for r in responses] == [400, 400, 400, 400]
    assert set(GatewayCallback.objects.values_list("outcome", flat=True)) == {
        CallbackOutcome.MALFORMED
    }
    pending.refresh_from_db()
    assert pending.state == TopUpState.PENDING


@pytest.mark.django_db
def test_a_callback_for_an_unknown_order_is_refused(client, pending):
    body = event(pending, order_id="pgo_nobody", merchant_order_id="TOP-2026-27-999999999")

    response = send(client, body)

    assert response.status_code == 404
    assert GatewayCallback.objects.get().outcome == CallbackOutcome.UNKNOWN_ORDER


@pytest.mark.django_db
def test_a_callback_for_our_number_under_another_order_is_refused(client, pending):
    response = send(client, event(pending, order_id="pgo_someone_else"))

    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.state == TopUpState.PENDING


@pytest.mark.django_db
def test_a_callback_that_beats_record_order_is_applied(client, operator):
    topup = services.create_topup(operator=operator, amount=300_00, key="callback-first")

    response = send(client, event(topup))

    assert response.json() == {"outcome": "credited"}
    topup.refresh_from_db()
    assert (topup.state, topup.gateway_order_id) == (TopUpState.PAID, "pgo_beats_record")
    assert wallet_balance(operator) == 300_00


@pytest.mark.django_db
def test_the_first_final_state_wins_whatever_follows(client, pending, operator):
    sequence = ["created", "paid", "failed", "paid", "expired", "paid"]

    answers = [send(client, event(pending, status=s)).json()["outcome"] for s in sequence]

    assert answers == [
        "ignored",
        "credited",
        "contradiction",
        "duplicate",
        "contradiction",
        "duplicate",
    ]
    pending.refresh_from_db()
    assert pending.state == TopUpState.PAID
    assert pending.flagged
    assert wallet_balance(operator) == 800_00
    assert AuditEntry.objects.filter(action="payments.topup_paid").count() == 1
    assert AuditEntry.objects.filter(action="payments.topup_flagged").count() == 2
    assert_ledger_holds()


@pytest.mark.django_db
def test_a_processing_error_is_logged_and_raised(pending, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("ledger is down")

    monkeypatch.setattr(services, "_apply_status", broken)
    body = event(pending)

    with pytest.raises(RuntimeError):
        services.handle_callback(raw_body=body, signature=gateway.sign(body))

    logged = GatewayCallback.objects.get()
    assert (logged.outcome, logged.signature_valid) == (CallbackOutcome.ERROR, True)
    assert "ledger is down" in logged.detail
