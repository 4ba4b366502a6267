"""The kiosk JSON API under /api/v1/bills/: fetch, pay (Idempotency-Key required), status —
one error envelope with translated messages; operators only; CSRF for the session."""

from __future__ import annotations

import pytest
from django.test import Client

from emitra.accounts.roles import Role
from emitra.billpay.models import BillPayment
from emitra.billpay.tests.conftest import FUNDS, available, k_number, run_outbox

pytestmark = [pytest.mark.simulators, pytest.mark.django_db]


@pytest.fixture
def api(client, operator, wallet):
    client.force_login(operator)
    return client


def _fetch(api, consumer, biller="jvvnl"):
    return api.post(
        "/api/v1/bills/fetch",
        {"biller": biller, "consumer": consumer},
        content_type="application/json",
    )


def _pay(api, consumer, amount, key="api-key-000001", biller="jvvnl", **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post(
        "/api/v1/bills/payments",
        {"biller": biller, "consumer": consumer, "amount_paise": amount, **extra},
        content_type="application/json",
        **headers,
    )


def test_fetch_pay_and_status_through_the_api(biller, api, wallet):
    billers = api.get("/api/v1/bills/billers").json()
    assert {b["code"] for b in billers} >= {"jvvnl", "phed", "rsgl", "bsnl", "dth"}

    bill = _fetch(api, k_number(0)).json()
    assert "*" in bill["name"]
    paid = _pay(api, k_number(0), bill["amount_paise"])
    assert paid.status_code == 201
    number = paid.json()["number"]
    assert paid.json()["state"] == "pending"

    replay = _pay(api, k_number(0), bill["amount_paise"])
    assert replay.json()["number"] == number
    assert BillPayment.objects.count() == 1

    run_outbox()
    status = api.get(f"/api/v1/bills/payments/{number}").json()
    assert status["state"] == "success"
    assert status["receipt_pdf_a4"] == f"/bills/receipts/{number}/a4.pdf"


def test_pay_requires_an_idempotency_key(biller, api, wallet):
    bill = _fetch(api, k_number(0)).json()
    refused = _pay(api, k_number(0), bill["amount_paise"], key="")
    assert refused.status_code == 400
    assert refused.json() == {
        "error": {
            "code": "api.idempotency_key",
            "message": "The Idempotency-Key header is required for payments.",
        }
    }
    assert available(wallet) == FUNDS


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"biller": "jvvnl", "consumer": "123"}, 400, "billpay.consumer_number"),
        ({"biller": "nope", "consumer": "210512345670"}, 404, "billpay.unknown_biller"),
        ({"biller": "jvvnl", "consumer": "210512345699"}, 503, "billpay.biller_garbage"),
        ({"biller": "jvvnl"}, 422, "api.invalid"),
    ],
)
def test_refusals_share_one_error_envelope(biller, api, body, status, code):
    response = api.post("/api/v1/bills/fetch", body, content_type="application/json")
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


def test_an_amount_above_the_bill_is_refused_and_nothing_is_held(biller, api, wallet):
    bill = _fetch(api, k_number(0)).json()
    response = _pay(api, k_number(0), bill["amount_paise"] + 100)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "billpay.above_bill"
    assert available(wallet) == FUNDS


def test_error_messages_follow_the_users_language(biller, api, operator):
    operator.preferred_language = "hi"
    operator.save(update_fields=["preferred_language"])
    response = api.post(
        "/api/v1/bills/fetch",
        {"biller": "nope", "consumer": "1"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="hi",
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "billpay.unknown_biller"


def test_anonymous_callers_get_401_in_the_envelope(catalog):
    response = Client().get("/api/v1/bills/billers")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "api.unauthenticated"


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.LSP, Role.STATE_ADMIN, Role.AUDITOR])
def test_other_roles_are_refused(client_as, catalog, role):
    client = client_as(role)
    response = client.get("/api/v1/bills/billers")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "api.forbidden"


def test_a_session_post_without_csrf_is_refused(biller, operator, wallet):
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    response = _fetch(client, k_number(0))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "api.forbidden"


def test_another_operators_payment_is_not_found(biller, api, make_user, pay):
    payment = pay(k_number(0))
    other = Client()
    other.force_login(make_user(Role.OPERATOR))
    response = other.get(f"/api/v1/bills/payments/{payment.number}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "billpay.not_found"
