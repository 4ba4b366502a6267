"""Portal tests: the shipped catalog and billers, a citizen, the biller simulator (its own
process) and a stand-in for the gateway's create-order call; callbacks are signed here with
the merchant secret, as the gateway signs them."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from emitra.accounts.roles import Role
from emitra.billpay.models import Biller
from emitra.billpay.tests.conftest import catalog  # noqa: F401  (the shipped catalog fixture)
from emitra.payments import gateway
from emitra.portal.models import OnlineBill

GATEWAY_URL = "http://gateway.test"
_orders = itertools.count(1)


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def citizen(make_user, catalog):  # noqa: F811
    return make_user(Role.CITIZEN, full_name="Sita Devi", mobile="9829012345")


@pytest.fixture
def citizen_client(citizen) -> Client:
    client = Client()
    client.force_login(citizen)
    return client


@pytest.fixture
def phed(catalog) -> Biller:  # noqa: F811
    return Biller.objects.get(code="phed")


@pytest.fixture
def fake_gateway(monkeypatch, settings) -> list[dict[str, Any]]:
    """The gateway's create-order call, answered here (the hosted page and its callback are
    the browser journey's business): each order is remembered."""
    settings.PAYMENT_GATEWAY_URL = GATEWAY_URL
    settings.PAYMENT_GATEWAY_SECRET = "test-pg-secret"
    made: list[dict[str, Any]] = []

    def create_order(
        *, merchant_order_id: str, amount: int, return_url: str, callback_url: str
    ) -> gateway.GatewayOrder:
        for order in made:
            if order["merchant_order_id"] == merchant_order_id:
                break
        else:
            order = {
                "order_id": f"pgo_{next(_orders):06d}",
                "merchant_order_id": merchant_order_id,
                "amount": amount,
                "return_url": return_url,
                "callback_url": callback_url,
            }
            made.append(order)
        return gateway.GatewayOrder(
            order_id=order["order_id"],
            merchant_order_id=merchant_order_id,
            amount=amount,
            status="created",
            payment_url=f"{GATEWAY_URL}/pay/{order['order_id']}",
        )

    monkeypatch.setattr(gateway, "create_order", create_order)
    return made


def callback_body(order: OnlineBill, status: str = "paid", amount: int | None = None) -> bytes:
    return json.dumps(
        {
            "event_id": f"evt_{order.number}_{status}",
            "order_id": order.gateway_order_id,
            "merchant_order_id": order.number,
            "status": status,
            "amount_paise": order.total if amount is None else amount,
        }
    ).encode()


@pytest.fixture
def call_back() -> Callable[..., Any]:
    """POST a callback to the portal's endpoint, signed as the gateway signs it."""

    def send(order: OnlineBill, status: str = "paid", *, forged: bool = False, **kw: Any) -> Any:
        body = callback_body(order, status, **kw)
        signature = "0" * 64 if forged else gateway.sign(body)
        return Client().post(
            "/my/gateway/callback/",
            body,
            content_type="application/json",
            headers={"X-Signature": signature},
        )

    return send
