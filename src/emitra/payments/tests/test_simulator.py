"""The payment gateway simulator speaks the protocol e-Mitra relies on (its own process)."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
from datetime import datetime

import httpx
import pytest

from emitra.core.timeutil import to_ist

pytestmark = pytest.mark.simulators
SECRET = b"test-pg-secret"  # the root conftest starts the simulator with it


def create(sim, merchant_order_id: str, amount: int = 500_00) -> httpx.Response:
    return httpx.post(
        f"{sim.url}/api/v1/orders",
        json={
            "merchant_order_id": merchant_order_id,
            "amount_paise": amount,
            "return_url": "http://127.0.0.1:9/back",
            "callback_url": "http://127.0.0.1:9/callback",
        },
        headers=sim.headers,
    )


def test_the_api_refuses_calls_without_the_api_key(payment_gateway):
    assert httpx.get(f"{payment_gateway.url}/api/v1/orders/x").status_code == 401
    assert httpx.post(f"{payment_gateway.url}/api/v1/orders", json={}).status_code == 401
    wrong = httpx.get(
        f"{payment_gateway.url}/api/v1/settlements/2026-11-28.csv", headers={"X-Api-Key": "no"}
    )
    assert wrong.status_code == 401


def test_one_merchant_order_id_is_one_order(payment_gateway):
    first = create(payment_gateway, "TOP-SIM-1")
    again = create(payment_gateway, "TOP-SIM-1")
    other_amount = create(payment_gateway, "TOP-SIM-1", amount=1)

    assert (first.status_code, again.status_code, other_amount.status_code) == (201, 200, 409)
    assert first.json()["order_id"] == again.json()["order_id"]
    assert first.json()["status"] == "created"
    assert first.json()["payment_url"] == f"{payment_gateway.url}/pay/{first.json()['order_id']}"


def test_bad_orders_are_refused(payment_gateway):
    assert create(payment_gateway, "TOP-SIM-2", amount=0).status_code == 400
    assert create(payment_gateway, "", amount=100).status_code == 400


def test_a_second_click_on_the_hosted_page_changes_nothing(payment_gateway):
    order_id = create(payment_gateway, "TOP-SIM-3").json()["order_id"]

    paid = payment_gateway.pay(order_id, drop_callback="1")
    failed_later = payment_gateway.fail(order_id)

    assert paid.status_code == failed_later.status_code == 303
    assert paid.headers["Location"] == f"http://127.0.0.1:9/back?order_id={order_id}&status=paid"
    assert payment_gateway.order(order_id)["status"] == "paid"
    assert len(payment_gateway.deliveries(order_id)) == 1
    assert "is <strong>paid</strong>" in payment_gateway.page(order_id).text


def test_callbacks_are_signed_with_the_merchant_secret(payment_gateway):
    order_id = create(payment_gateway, "TOP-SIM-4").json()["order_id"]

    payment_gateway.pay(order_id, drop_callback="1")

    delivery = payment_gateway.deliveries(order_id)[0]
    body = delivery["body"].encode()
    assert delivery["signature"] == hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    event = json.loads(body)
    assert (event["order_id"], event["merchant_order_id"], event["status"]) == (
        order_id,
        "TOP-SIM-4",
        "paid",
    )
    assert event["amount_paise"] == 500_00


def test_an_expired_order_cannot_be_paid(payment_gateway):
    order_id = create(payment_gateway, "TOP-SIM-5").json()["order_id"]
    payment_gateway.faults(order_id=order_id, expire=True)

    refused = payment_gateway.pay(order_id)

    assert refused.status_code == 410
    assert payment_gateway.order(order_id)["status"] == "expired"


def test_the_daily_settlement_file_lists_the_days_orders_with_fee_and_net(payment_gateway):
    paid_id = create(payment_gateway, "TOP-SIM-6", amount=1_234_50).json()["order_id"]
    failed_id = create(payment_gateway, "TOP-SIM-7").json()["order_id"]
    open_id = create(payment_gateway, "TOP-SIM-8").json()["order_id"]
    payment_gateway.pay(paid_id, drop_callback="1")
    payment_gateway.fail(failed_id, drop_callback="1")
    paid_at = payment_gateway.order(paid_id)["paid_at"]
    day = to_ist(datetime.fromisoformat(paid_at)).date().isoformat()

    response = payment_gateway.settlement(day)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = {r["order_id"]: r for r in csv.DictReader(io.StringIO(response.text))}
    assert open_id not in rows
    paid = rows[paid_id]
    # A 1% fee (100 basis points, the simulator's default), rounded half up to the paisa.
    assert (paid["merchant_order_id"], paid["amount"], paid["fee"], paid["net"]) == (
        "TOP-SIM-6",
        "1234.50",
        "12.35",
        "1222.15",
    )
    assert paid["status"] == "paid"
    assert paid["paid_at"].endswith("+05:30")
    assert (rows[failed_id]["status"], rows[failed_id]["fee"], rows[failed_id]["net"]) == (
        "failed",
        "0.00",
        "0.00",
    )
    assert rows[failed_id]["paid_at"] == ""
    assert payment_gateway.settlement("2001-01-01").text.count("\n") == 1  # header only
