"""How e-Mitra talks to billers: one Protocol (fetch, pay, status, cancel) and its HTTP
adapter for BBPS-style aggregators (the simulator in development).

Calls are made outside any database transaction. A timeout, a 5xx or an answer we cannot read
never becomes a failure here: for `pay`, `status` and `cancel` it is an *unknown* answer the
saga resolves by asking again; for `fetch_bill` it is a typed error shown to the operator.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Protocol
from urllib.parse import quote

import httpx
from django.conf import settings

from emitra.billpay.errors import BillerGarbage, BillerUnavailable, ConsumerNotFound

Outcome = Literal["success", "failed", "pending", "cancelled", "not_found", "unknown"]
OUTCOMES = frozenset({"success", "failed", "pending", "cancelled", "not_found"})


@dataclass(frozen=True)
class BillDetails:
    consumer: str
    customer_name: str
    bill_number: str
    bill_date: date | None
    due_date: date | None
    amount: int


@dataclass(frozen=True)
class BillerAnswer:
    outcome: Outcome
    biller_txn_id: str = ""
    reason: str = ""

    @classmethod
    def unknown(cls, reason: str) -> BillerAnswer:
        return cls("unknown", reason=reason[:200])


class BillerAdapter(Protocol):
    def fetch_bill(self, *, biller: str, consumer: str) -> BillDetails: ...

    def pay(self, *, biller: str, consumer: str, amount: int, reference: str) -> BillerAnswer: ...

    def status(self, *, reference: str) -> BillerAnswer: ...

    def cancel(self, *, reference: str) -> BillerAnswer: ...


_client: httpx.Client | None = None
_client_lock = threading.Lock()


def _http() -> httpx.Client:
    """One pooled client per process (thread-safe): keep-alive to the biller, and the TLS
    context built once — making it per call cost more than the rest of a payment."""
    global _client
    with _client_lock:
        if _client is None:
            _client = httpx.Client(limits=httpx.Limits(max_connections=50))
        return _client


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


class HttpBillerAdapter:
    """The aggregator's JSON API, idempotent on our reference (the receipt number)."""

    def __init__(self, base_url: str, api_key: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = httpx.Timeout(timeout, connect=min(timeout, 3.0))

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        try:
            return _http().request(
                method,
                f"{self.base_url}{path}",
                json=body,
                headers={"X-Api-Key": self.api_key},
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            raise BillerUnavailable(f"{type(exc).__name__}") from exc

    @staticmethod
    def _json(response: httpx.Response) -> dict[str, Any]:
        if response.status_code >= 500:
            raise BillerUnavailable(f"answered {response.status_code}")
        try:
            data = response.json()
        except ValueError as exc:
            raise BillerGarbage("answer is not JSON") from exc
        if not isinstance(data, dict):
            raise BillerGarbage("answer is not a JSON object")
        return data

    def fetch_bill(self, *, biller: str, consumer: str) -> BillDetails:
        response = self._call(
            "POST", "/api/v1/bills/fetch", {"biller": biller, "consumer": consumer}
        )
        if response.status_code == 404:
            raise ConsumerNotFound()
        data = self._json(response)
        if response.status_code != 200:
            raise BillerUnavailable(f"fetch answered {response.status_code}")
        try:
            amount = int(data["amount_paise"])
            details = BillDetails(
                consumer=str(data["consumer"]),
                customer_name=str(data["name"])[:120],
                bill_number=str(data.get("bill_number", ""))[:40],
                bill_date=_date(data.get("bill_date")),
                due_date=_date(data.get("due_date")),
                amount=amount,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BillerGarbage(f"unexpected bill: {exc!r}") from exc
        if details.consumer != consumer or amount < 0:
            raise BillerGarbage("the bill is for another consumer or negative")
        return details

    def _answer(self, response: httpx.Response) -> BillerAnswer:
        try:
            data = self._json(response)
        except BillerUnavailable as exc:
            return BillerAnswer.unknown(f"{exc.code}: {exc.detail}")
        outcome = data.get("status")
        if response.status_code != 200 or outcome not in OUTCOMES:
            return BillerAnswer.unknown(f"answered {response.status_code} {outcome!r}")
        return BillerAnswer(
            outcome=outcome,
            biller_txn_id=str(data.get("biller_txn_id") or "")[:64],
            reason=str(data.get("reason") or "")[:200],
        )

    def pay(self, *, biller: str, consumer: str, amount: int, reference: str) -> BillerAnswer:
        body = {
            "biller": biller,
            "consumer": consumer,
            "amount_paise": amount,
            "reference": reference,
        }
        try:
            return self._answer(self._call("POST", "/api/v1/payments", body))
        except BillerUnavailable as exc:
            return BillerAnswer.unknown(f"{exc.code}: {exc.detail}")

    def status(self, *, reference: str) -> BillerAnswer:
        try:
            return self._answer(self._call("GET", f"/api/v1/payments/{quote(reference, safe='')}"))
        except BillerUnavailable as exc:
            return BillerAnswer.unknown(f"{exc.code}: {exc.detail}")

    def cancel(self, *, reference: str) -> BillerAnswer:
        path = f"/api/v1/payments/{quote(reference, safe='')}/cancel"
        try:
            return self._answer(self._call("POST", path))
        except BillerUnavailable as exc:
            return BillerAnswer.unknown(f"{exc.code}: {exc.detail}")


def adapter_for(kind: str) -> BillerAdapter:
    """The adapter a biller row names (only "http" today; a biller with its own protocol adds
    its class here)."""
    if kind == "http":
        return HttpBillerAdapter(
            settings.BILLER_URL, settings.BILLER_KEY, settings.BILLER_TIMEOUT_SECONDS
        )
    raise LookupError(f"no biller adapter {kind!r}")
