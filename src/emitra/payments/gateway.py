"""The payment gateway's HTTP API as e-Mitra uses it (the simulator in development).

Every call here is made outside any database transaction by the services that use it: a
slow or dead gateway must never hold a row lock or the SQLite write lock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from django.conf import settings

from emitra.payments.errors import GatewayUnavailable

TIMEOUT = httpx.Timeout(10.0, connect=3.0)


@dataclass(frozen=True)
class GatewayOrder:
    order_id: str
    merchant_order_id: str
    amount: int
    status: str  # created | paid | failed | expired
    payment_url: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GatewayOrder:
        try:
            return cls(
                order_id=str(data["order_id"]),
                merchant_order_id=str(data["merchant_order_id"]),
                amount=int(data["amount_paise"]),
                status=str(data["status"]),
                payment_url=str(data.get("payment_url") or ""),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise GatewayUnavailable(f"unexpected answer: {exc!r}") from exc


def sign(body: bytes) -> str:
    """Hex HMAC-SHA256 of the raw body with the merchant secret (the X-Signature header)."""
    return hmac.new(settings.PAYMENT_GATEWAY_SECRET.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(body: bytes, signature: str) -> bool:
    """Constant-time comparison: the time taken reveals nothing about the expected value."""
    given = signature.strip().lower().encode("utf-8", "replace")
    return hmac.compare_digest(sign(body).encode(), given)


def _call(method: str, path: str, **kwargs: Any) -> httpx.Response:
    try:
        return httpx.request(
            method,
            f"{settings.PAYMENT_GATEWAY_URL}{path}",
            headers={"X-Api-Key": settings.PAYMENT_GATEWAY_KEY},
            timeout=TIMEOUT,
            **kwargs,
        )
    except httpx.HTTPError as exc:
        raise GatewayUnavailable(f"unreachable: {type(exc).__name__}") from exc


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError as exc:
        raise GatewayUnavailable("answer is not JSON") from exc
    if not isinstance(data, dict):
        raise GatewayUnavailable("answer is not a JSON object")
    return data


def create_order(
    *, merchant_order_id: str, amount: int, return_url: str, callback_url: str
) -> GatewayOrder:
    """Create (or, for a merchant order id already sent, fetch) the gateway's order."""
    response = _call(
        "POST",
        "/api/v1/orders",
        json={
            "merchant_order_id": merchant_order_id,
            "amount_paise": amount,
            "return_url": return_url,
            "callback_url": callback_url,
        },
    )
    if response.status_code not in (200, 201):
        raise GatewayUnavailable(f"create order answered {response.status_code}")
    return GatewayOrder.from_json(_json(response))


def get_order(order_id: str) -> GatewayOrder:
    """The status API: what the gateway knows of one order now."""
    response = _call("GET", f"/api/v1/orders/{quote(order_id, safe='')}")
    if response.status_code != 200:
        raise GatewayUnavailable(f"order status answered {response.status_code}")
    return GatewayOrder.from_json(_json(response))


def find_order(merchant_order_id: str) -> GatewayOrder | None:
    """The gateway's order for our number, or None if it never got one."""
    response = _call("GET", "/api/v1/orders", params={"merchant_order_id": merchant_order_id})
    if response.status_code != 200:
        raise GatewayUnavailable(f"order search answered {response.status_code}")
    orders = _json(response).get("orders")
    if not isinstance(orders, list) or not orders:
        return None
    found = GatewayOrder.from_json(orders[0])
    return found if found.merchant_order_id == merchant_order_id else None


def origin() -> str:
    """The gateway's origin (scheme://host:port), for CSP form-action and redirect checks."""
    return _origin_of(settings.PAYMENT_GATEWAY_URL)


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def hosted_page(url: str) -> str:
    """`url` if it is on the payment gateway's origin, else "" (browsers go nowhere else)."""
    return url if url and _origin_of(url) == origin() else ""


def parse_callback(raw_body: bytes) -> dict[str, Any] | None:
    """A callback body with the fields every callback must carry, well typed; else None."""
    try:
        event = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(event, dict):
        return None
    amount = event.get("amount_paise")
    if (
        not isinstance(event.get("order_id"), str)
        or not isinstance(event.get("merchant_order_id"), str)
        or not isinstance(event.get("status"), str)
        or not isinstance(amount, int)
        or isinstance(amount, bool)
    ):
        return None
    return event
