"""The payment gateway's daily settlement file, fetched over its HTTP API (the simulator in
development). Called outside any database transaction: a slow gateway holds no lock."""

from __future__ import annotations

from datetime import date

import httpx
from django.conf import settings

from emitra.payments.errors import GatewayUnavailable

TIMEOUT = httpx.Timeout(30.0, connect=3.0)


def fetch_settlement_file(day: date) -> str:
    """The CSV of orders the gateway completed on `day` (IST): order_id, merchant_order_id,
    amount, fee, net (rupees), status, paid_at."""
    try:
        response = httpx.get(
            f"{settings.PAYMENT_GATEWAY_URL}/api/v1/settlements/{day.isoformat()}.csv",
            headers={"X-Api-Key": settings.PAYMENT_GATEWAY_KEY},
            timeout=TIMEOUT,
        )
    except httpx.HTTPError as exc:
        raise GatewayUnavailable(f"unreachable: {type(exc).__name__}") from exc
    if response.status_code != 200:
        raise GatewayUnavailable(f"settlement file answered {response.status_code}")
    return response.text
