"""Payment gateway simulator: `python -m emitra_sim.payment_gateway --port 8026`.

The shape of Indian payment gateways (Razorpay, PayU, SBIePay …) in the parts e-Mitra uses:

POST /api/v1/orders {merchant_order_id, amount_paise, return_url, callback_url} with X-Api-Key
     → 201 {order_id, payment_url, status}; the same merchant_order_id again → 200 with the same
     order (idempotent), or 409 if the amount differs.
GET  /api/v1/orders/<order_id> → {order_id, merchant_order_id, amount_paise, status, …}
     (status: created | paid | failed | expired) — the status API reconciliation asks.
GET  /api/v1/orders?merchant_order_id=TOP-… → {"orders": [...]} (zero or one order).
GET  /pay/<order_id> → the hosted payment page with "Pay" and "Fail" buttons (a person in the
     demo clicks one; tests POST the form). POST /pay/<order_id> completes the order, POSTs the
     signed callback to callback_url and redirects the browser (303) to return_url.
     The callback's body is JSON; header X-Signature is the hex HMAC-SHA256 of the raw body
     with the merchant secret. A callback answered with 5xx or not at all is retried 3 times.
GET  /api/v1/settlements/<yyyy-mm-dd>.csv → the day's settlement file (IST day of completion):
     order_id, merchant_order_id, amount, fee, net (rupees), status, paid_at.

Fault injection (with X-Api-Key), so the platform's defences can be proved:
POST /api/v1/faults {"order_id": …, "drop_callback": true}   never send this order's callback
     {"order_id": …, "duplicate_callback": true}              send each callback twice
     {"order_id": …, "contradict_callback": true}             then also the opposite outcome
                                                              ("failed" after "paid")
     {"order_id": …, "delay_seconds": 5}                      redirect first, call back later
     {"order_id": …, "expire": true}                          the unpaid order expires now
     {"fail_create": 2} / {"fail_status": 2}                  the next 2 calls answer 503
The hosted page offers the same per-order faults as checkboxes, for the demo.
GET  /api/v1/orders/<id>/deliveries → every callback built for the order (sent or dropped).
POST /api/v1/orders/<id>/redeliver → send the order's callback again, byte for byte (a replay,
     like a gateway dashboard's "resend webhook").
POST /api/v1/reset → forget every order and cancel pending deliveries (test isolation).
GET  / → an HTML list of recent orders, for a person running the demo.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import hmac
import html
import io
import json
import re
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlparse, urlunparse

IST = timezone(timedelta(hours=5, minutes=30), "IST")
TERMINAL = ("paid", "failed", "expired")
RETRY_DELAYS = (1.0, 2.0, 4.0)  # seconds before each retry of a callback that did not land
_ORDER_PATH = re.compile(r"^/api/v1/orders/([A-Za-z0-9_]{1,64})(/deliveries|/redeliver)?$")
_SETTLEMENT_PATH = re.compile(r"^/api/v1/settlements/(\d{4}-\d{2}-\d{2})\.csv$")
_PAY_PATH = re.compile(r"^/pay/([A-Za-z0-9_]{1,64})$")
FAULT_FLAGS = ("drop_callback", "duplicate_callback", "contradict_callback")


def _now() -> datetime:
    return datetime.now(UTC)


def sign(secret: str, body: bytes) -> str:
    """The X-Signature header: hex HMAC-SHA256 of the raw body with the merchant secret."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def rupees(paise: int) -> str:
    """₹1,23,456.50 — Indian grouping, for the hosted page (the simulator has no Babel)."""
    whole, fraction = divmod(paise, 100)
    digits = str(whole)
    if len(digits) > 3:
        head, tail = digits[:-3], digits[-3:]
        groups: list[str] = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        digits = ",".join([head, *groups, tail] if head else [*groups, tail])
    return f"₹{digits}.{fraction:02d}"


def _decimal_rupees(paise: int) -> str:
    return f"{paise // 100}.{paise % 100:02d}"


@dataclass
class Order:
    order_id: str
    merchant_order_id: str
    amount_paise: int
    return_url: str
    callback_url: str
    payment_url: str
    status: str = "created"
    created_at: str = field(default_factory=lambda: _now().isoformat())
    completed_at: str = ""
    paid_at: str = ""
    payment_id: str = ""
    fee_paise: int = 0

    def public(self) -> dict[str, Any]:
        """What the status API shows (not the merchant's URLs)."""
        return {
            "order_id": self.order_id,
            "merchant_order_id": self.merchant_order_id,
            "amount_paise": self.amount_paise,
            "status": self.status,
            "payment_url": self.payment_url,
            "payment_id": self.payment_id,
            "fee_paise": self.fee_paise,
            "created_at": self.created_at,
            "completed_at": self.completed_at,
            "paid_at": self.paid_at,
        }


@dataclass
class Faults:
    drop_callback: bool = False
    duplicate_callback: bool = False
    contradict_callback: bool = False
    delay_seconds: float = 0.0

    def merged(self, other: Faults) -> Faults:
        return Faults(
            drop_callback=self.drop_callback or other.drop_callback,
            duplicate_callback=self.duplicate_callback or other.duplicate_callback,
            contradict_callback=self.contradict_callback or other.contradict_callback,
            delay_seconds=max(self.delay_seconds, other.delay_seconds),
        )


@dataclass
class Delivery:
    event_id: str
    status: str
    body: str
    signature: str
    dropped: bool = False
    attempts: int = 0
    http_status: int | None = None
    error: str = ""
    at: str = ""


class Gateway:
    def __init__(
        self,
        *,
        api_key: str,
        merchant_secret: str,
        store: Path | None = None,
        fee_bps: int = 100,
        order_ttl: float = 900.0,
    ) -> None:
        self.api_key = api_key
        self.merchant_secret = merchant_secret
        self.store = store
        self.fee_bps = fee_bps
        self.order_ttl = timedelta(seconds=order_ttl)
        self.lock = threading.RLock()
        self.orders: dict[str, Order] = {}
        self.by_merchant_id: dict[str, str] = {}
        self.faults: dict[str, Faults] = {}
        self.deliveries: dict[str, list[Delivery]] = {}
        self.fail_create = 0
        self.fail_status = 0
        self.timers: set[threading.Timer] = set()
        self.generation = 0  # bumped by reset: deliveries scheduled before it are dropped
        if store is not None and store.exists():
            for line in store.read_text(encoding="utf-8").splitlines():
                order = Order(**json.loads(line))  # the last line of an order wins
                self.orders[order.order_id] = order
                self.by_merchant_id[order.merchant_order_id] = order.order_id

    # --- orders --------------------------------------------------------------------------------

    def _persist(self, order: Order) -> None:
        if self.store is not None:
            with self.store.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(asdict(order), ensure_ascii=False) + "\n")

    def _expire_if_due(self, order: Order) -> None:
        if order.status == "created" and _now() - datetime.fromisoformat(order.created_at) > (
            self.order_ttl
        ):
            self._expire(order)

    def _expire(self, order: Order) -> None:
        order.status = "expired"
        order.completed_at = _now().isoformat()
        self._persist(order)

    def create(self, body: dict[str, Any], base_url: str) -> tuple[int, dict[str, Any]]:
        merchant_order_id = body.get("merchant_order_id")
        amount = body.get("amount_paise")
        urls = [body.get("return_url"), body.get("callback_url")]
        if not isinstance(merchant_order_id, str) or not 0 < len(merchant_order_id) <= 64:
            return 400, {"error": "merchant_order_id must be 1-64 characters"}
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            return 400, {"error": "amount_paise must be a positive integer"}
        if not all(isinstance(u, str) and u.startswith(("http://", "https://")) for u in urls):
            return 400, {"error": "return_url and callback_url must be http(s) URLs"}
        with self.lock:
            if self.fail_create > 0:
                self.fail_create -= 1
                return 503, {"error": "simulated outage"}
            if (existing_id := self.by_merchant_id.get(merchant_order_id)) is not None:
                existing = self.orders[existing_id]
                if existing.amount_paise != amount:
                    return 409, {"error": "merchant_order_id already used with another amount"}
                self._expire_if_due(existing)
                return 200, existing.public()
            order_id = f"pgo_{uuid.uuid4().hex[:20]}"
            order = Order(
                order_id=order_id,
                merchant_order_id=merchant_order_id,
                amount_paise=amount,
                return_url=str(urls[0]),
                callback_url=str(urls[1]),
                payment_url=f"{base_url}/pay/{order_id}",
            )
            self.orders[order_id] = order
            self.by_merchant_id[merchant_order_id] = order_id
            self._persist(order)
            return 201, order.public()

    def status(self, order_id: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            if self.fail_status > 0:
                self.fail_status -= 1
                return 503, {"error": "simulated outage"}
            order = self.orders.get(order_id)
            if order is None:
                return 404, {"error": "no such order"}
            self._expire_if_due(order)
            return 200, order.public()

    def find(self, merchant_order_id: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            if self.fail_status > 0:
                self.fail_status -= 1
                return 503, {"error": "simulated outage"}
            order_id = self.by_merchant_id.get(merchant_order_id)
            if order_id is None:
                return 200, {"orders": []}
            order = self.orders[order_id]
            self._expire_if_due(order)
            return 200, {"orders": [order.public()]}

    def complete(self, order_id: str, action: str, page_faults: Faults) -> tuple[int, Order | None]:
        """Pay or fail an order from its hosted page; returns (HTTP status, order)."""
        if action not in ("pay", "fail"):
            return 400, None
        with self.lock:
            order = self.orders.get(order_id)
            if order is None:
                return 404, None
            self._expire_if_due(order)
            if order.status == "expired":
                return 410, order
            if order.status != "created":
                return 303, order  # a second click: nothing changes, back to the merchant
            now = _now().isoformat()
            order.completed_at = now
            if action == "pay":
                order.status = "paid"
                order.paid_at = now
                order.payment_id = f"pay_{uuid.uuid4().hex[:16]}"
                order.fee_paise = (order.amount_paise * self.fee_bps + 5_000) // 10_000
            else:
                order.status = "failed"
            self._persist(order)
            faults = self.faults.get(order_id, Faults()).merged(page_faults)
            outcomes = [order.status]
            if faults.contradict_callback:
                outcomes.append("failed" if order.status == "paid" else "paid")
            if faults.duplicate_callback:
                outcomes = [outcome for outcome in outcomes for _twice in (1, 2)]
            built: dict[str, Delivery] = {}
            batch = []
            for outcome in outcomes:
                if outcome not in built:
                    built[outcome] = self._build(order, outcome, dropped=faults.drop_callback)
                    self.deliveries.setdefault(order_id, []).append(built[outcome])
                batch.append(built[outcome])
            generation = self.generation
        if not faults.drop_callback:
            if faults.delay_seconds > 0:
                self._schedule(
                    faults.delay_seconds,
                    generation,
                    lambda: [self._deliver(order, d, generation) for d in batch],
                )
            else:
                for delivery in batch:
                    self._deliver(order, delivery, generation)
        return 303, order

    # --- callbacks -----------------------------------------------------------------------------

    def _build(self, order: Order, outcome: str, *, dropped: bool) -> Delivery:
        event = {
            "event": f"order.{outcome}",
            "event_id": f"evt_{uuid.uuid4().hex[:20]}",
            "order_id": order.order_id,
            "merchant_order_id": order.merchant_order_id,
            "amount_paise": order.amount_paise,
            "status": outcome,
            "payment_id": order.payment_id if outcome == "paid" else "",
            "paid_at": order.paid_at if outcome == "paid" else "",
            "sent_at": _now().isoformat(),
        }
        body = json.dumps(event, separators=(",", ":"))
        return Delivery(
            event_id=str(event["event_id"]),
            status=outcome,
            body=body,
            signature=sign(self.merchant_secret, body.encode()),
            dropped=dropped,
        )

    def _schedule(self, delay: float, generation: int, work: Callable[[], object]) -> None:
        """Run `work` after `delay` seconds unless a reset came in between."""

        def run() -> None:
            with self.lock:
                self.timers.discard(timer)
                if generation != self.generation:
                    return
            work()

        timer = threading.Timer(delay, run)
        timer.daemon = True
        with self.lock:
            self.timers.add(timer)
        timer.start()

    def _deliver(
        self,
        order: Order,
        delivery: Delivery,
        generation: int,
        *,
        retries_done: int = 0,
        may_retry: bool = True,
    ) -> int:
        """POST one callback; a network error or a 5xx is retried later (RETRY_DELAYS)."""
        request = urllib.request.Request(  # noqa: S310 - the merchant's own http(s) callback URL
            order.callback_url,
            data=delivery.body.encode(),
            method="POST",
            headers={"Content-Type": "application/json", "X-Signature": delivery.signature},
        )
        status: int | None = None
        error = ""
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                status = int(response.status)
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (urllib.error.URLError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:200]
        with self.lock:
            delivery.attempts += 1
            delivery.http_status = status
            delivery.error = error
            delivery.at = _now().isoformat()
        landed = status is not None and status < 500
        if may_retry and not landed and retries_done < len(RETRY_DELAYS):
            self._schedule(
                RETRY_DELAYS[retries_done],
                generation,
                lambda: self._deliver(order, delivery, generation, retries_done=retries_done + 1),
            )
        return status or 0

    def redeliver(self, order_id: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            order = self.orders.get(order_id)
            built = self.deliveries.get(order_id, [])
            if order is None:
                return 404, {"error": "no such order"}
            if not built:
                return 409, {"error": "the order has no callback yet"}
            first = built[0]
            generation = self.generation
        status = self._deliver(order, first, generation, may_retry=False)
        return 200, {"event_id": first.event_id, "http_status": status}

    def delivery_log(self, order_id: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            if order_id not in self.orders:
                return 404, {"error": "no such order"}
            return 200, {"deliveries": [asdict(d) for d in self.deliveries.get(order_id, [])]}

    # --- faults, reset, settlement -------------------------------------------------------------

    def set_faults(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            if "fail_create" in body:
                self.fail_create = int(body["fail_create"])
            if "fail_status" in body:
                self.fail_status = int(body["fail_status"])
            order_id = body.get("order_id")
            if order_id is not None:
                order = self.orders.get(str(order_id))
                if order is None:
                    return 404, {"error": "no such order"}
                self.faults[order.order_id] = Faults(
                    **{flag: bool(body.get(flag)) for flag in FAULT_FLAGS},
                    delay_seconds=float(body.get("delay_seconds") or 0),
                )
                if body.get("expire") and order.status == "created":
                    self._expire(order)
            return 200, {"fail_create": self.fail_create, "fail_status": self.fail_status}

    def reset(self) -> None:
        with self.lock:
            self.generation += 1
            for timer in self.timers:
                timer.cancel()
            self.timers.clear()
            self.orders.clear()
            self.by_merchant_id.clear()
            self.faults.clear()
            self.deliveries.clear()
            self.fail_create = self.fail_status = 0
            if self.store is not None:
                self.store.write_text("", encoding="utf-8")

    def settlement(self, day: date) -> str:
        """Orders completed on `day` (IST): paid ones with the gateway's fee and the net."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            ["order_id", "merchant_order_id", "amount", "fee", "net", "status", "paid_at"]
        )
        with self.lock:
            for order in self.orders.values():
                self._expire_if_due(order)
            done = [
                o
                for o in self.orders.values()
                if o.completed_at
                and datetime.fromisoformat(o.completed_at).astimezone(IST).date() == day
            ]
        for order in sorted(done, key=lambda o: o.completed_at):
            fee = order.fee_paise if order.status == "paid" else 0
            net = order.amount_paise - fee if order.status == "paid" else 0
            paid_at = (
                datetime.fromisoformat(order.paid_at).astimezone(IST).isoformat(timespec="seconds")
                if order.paid_at
                else ""
            )
            writer.writerow(
                [
                    order.order_id,
                    order.merchant_order_id,
                    _decimal_rupees(order.amount_paise),
                    _decimal_rupees(fee),
                    _decimal_rupees(net),
                    order.status,
                    paid_at,
                ]
            )
        return out.getvalue()


# --- pages ---------------------------------------------------------------------------------------

_PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
    "<meta name='viewport' content='width=device-width, initial-scale=1'>"
    "<title>{title}</title></head><body>{body}</body></html>"
)


def _payment_page(order: Order) -> str:
    amount = html.escape(rupees(order.amount_paise))
    if order.status != "created":
        state = html.escape(order.status)
        body = (
            f"<h1>Demo payment gateway</h1><p>Order {html.escape(order.order_id)} is "
            f"<strong>{state}</strong>.</p>"
            f"<p><a href='{html.escape(order.return_url)}'>Back to the merchant</a></p>"
        )
        return _PAGE.format(title="Payment", body=body)
    faults = "".join(
        f"<p><label><input type='checkbox' name='{flag}' value='1'> {label}</label></p>"
        for flag, label in (
            ("drop_callback", "Do not send the callback (reconciliation must find it)"),
            ("duplicate_callback", "Send the callback twice"),
            ("contradict_callback", "Then also send the opposite outcome (out of order)"),
        )
    )
    body = (
        "<h1>Demo payment gateway</h1>"
        "<p>A simulator: no real money moves.</p>"
        f"<dl><dt>Merchant order</dt><dd>{html.escape(order.merchant_order_id)}</dd>"
        f"<dt>Amount</dt><dd><strong>{amount}</strong></dd>"
        f"<dt>Gateway order</dt><dd>{html.escape(order.order_id)}</dd></dl>"
        f"<form method='post' action='/pay/{html.escape(order.order_id)}'>"
        "<fieldset><legend>Simulator faults (for testing)</legend>"
        f"{faults}"
        "<p><label>Delay the callback by <input type='number' name='delay_seconds' min='0' "
        "max='600' value='0'> seconds</label></p></fieldset>"
        f"<p><button type='submit' name='action' value='pay'>Pay {amount}</button> "
        "<button type='submit' name='action' value='fail'>Fail</button></p></form>"
    )
    return _PAGE.format(title="Pay " + amount, body=body)


def _orders_page(gateway: Gateway) -> str:
    with gateway.lock:
        latest = sorted(gateway.orders.values(), key=lambda o: o.created_at, reverse=True)[:100]
    rows = "".join(
        f"<tr><td>{html.escape(o.created_at[:19])}</td>"
        f"<td><a href='/pay/{html.escape(o.order_id)}'>"
        f"{html.escape(o.order_id)}</a></td><td>{html.escape(o.merchant_order_id)}</td>"
        f"<td>{html.escape(rupees(o.amount_paise))}</td><td>{html.escape(o.status)}</td></tr>"
        for o in latest
    )
    body = (
        "<h1>e-Mitra payment gateway simulator</h1>"
        "<p>Orders the platform created (development only).</p>"
        "<table border='1' cellpadding='4'><tr><th>created (UTC)</th><th>order</th>"
        f"<th>merchant order</th><th>amount</th><th>status</th></tr>{rows}</table>"
    )
    return _PAGE.format(title="Payment gateway simulator", body=body)


def _with_query(url: str, **params: str) -> str:
    parts = urlparse(url)
    query = urlencode([*parse_qsl(parts.query), *params.items()])
    return urlunparse(parts._replace(query=query))


def make_handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "emitra-pg-sim/1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests run many
            return

        def _send(self, status: int, data: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _json(self, status: int, body: object) -> None:
            self._send(
                status,
                json.dumps(body, ensure_ascii=False).encode(),
                "application/json; charset=utf-8",
            )

        def _html(self, status: int, page: str) -> None:
            self._send(status, page.encode(), "text/html; charset=utf-8")

        def _raw(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _body(self) -> dict[str, Any]:
            try:
                parsed = json.loads(self._raw() or b"{}")
            except json.JSONDecodeError:
                return {}
            return parsed if isinstance(parsed, dict) else {}

        def _base_url(self) -> str:
            # Payment pages are on the origin the merchant called (HTTP/1.1 always sends Host).
            host = self.headers.get("Host") or "127.0.0.1"
            return f"http://{host}"

        def _authorised(self) -> bool:
            given = self.headers.get("X-Api-Key") or ""
            if hmac.compare_digest(given.encode(), gateway.api_key.encode()):
                return True
            self._json(401, {"error": "bad api key"})
            return False

        def do_POST(self) -> None:
            path = urlparse(self.path).path
            if (pay := _PAY_PATH.match(path)) is not None:
                self._pay(pay[1])
                return
            if not path.startswith("/api/"):
                self._json(404, {"error": "not found"})
                return
            if not self._authorised():
                return
            order_path = _ORDER_PATH.match(path)
            if path == "/api/v1/orders":
                self._json(*gateway.create(self._body(), self._base_url()))
            elif order_path is not None and order_path[2] == "/redeliver":
                self._json(*gateway.redeliver(order_path[1]))
            elif path == "/api/v1/faults":
                self._json(*gateway.set_faults(self._body()))
            elif path == "/api/v1/reset":
                gateway.reset()
                self._json(200, {"status": "reset"})
            else:
                self._json(404, {"error": "not found"})

        def do_GET(self) -> None:
            url = urlparse(self.path)
            path = url.path
            if path == "/healthz":
                self._json(200, {"status": "ok"})
                return
            if path == "/":
                self._html(200, _orders_page(gateway))
                return
            if (pay := _PAY_PATH.match(path)) is not None:
                with gateway.lock:
                    order = gateway.orders.get(pay[1])
                    if order is not None:
                        gateway._expire_if_due(order)
                if order is None:
                    self._html(404, _PAGE.format(title="Not found", body="<h1>No such order</h1>"))
                else:
                    self._html(200, _payment_page(order))
                return
            if not path.startswith("/api/"):
                self._json(404, {"error": "not found"})
                return
            if not self._authorised():
                return
            order_path = _ORDER_PATH.match(path)
            settlement = _SETTLEMENT_PATH.match(path)
            if path == "/api/v1/orders":
                wanted = parse_qs(url.query).get("merchant_order_id", [""])[0]
                self._json(*gateway.find(wanted))
            elif order_path is not None and order_path[2] is None:
                self._json(*gateway.status(order_path[1]))
            elif order_path is not None and order_path[2] == "/deliveries":
                self._json(*gateway.delivery_log(order_path[1]))
            elif settlement is not None:
                try:
                    day = date.fromisoformat(settlement[1])
                except ValueError:
                    self._json(400, {"error": "not a date"})
                    return
                self._send(200, gateway.settlement(day).encode(), "text/csv; charset=utf-8")
            else:
                self._json(404, {"error": "not found"})

        def _pay(self, order_id: str) -> None:
            form = parse_qs(self._raw().decode("utf-8", "replace"))
            first = {name: values[0] for name, values in form.items() if values}
            try:
                delay = min(max(float(first.get("delay_seconds") or 0), 0.0), 600.0)
            except ValueError:
                delay = 0.0
            page_faults = Faults(
                **{flag: first.get(flag) == "1" for flag in FAULT_FLAGS}, delay_seconds=delay
            )
            status, order = gateway.complete(order_id, first.get("action", ""), page_faults)
            if status == 303 and order is not None:
                self.send_response(303)
                target = _with_query(order.return_url, order_id=order.order_id, status=order.status)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif order is not None:
                self._html(status, _payment_page(order))
            else:
                self._html(status, _PAGE.format(title="Refused", body="<h1>Refused</h1>"))

    return Handler


def serve(
    host: str,
    port: int,
    *,
    api_key: str,
    merchant_secret: str,
    store: Path | None = None,
    fee_bps: int = 100,
    order_ttl: float = 900.0,
) -> ThreadingHTTPServer:
    gateway = Gateway(
        api_key=api_key,
        merchant_secret=merchant_secret,
        store=store,
        fee_bps=fee_bps,
        order_ttl=order_ttl,
    )
    return ThreadingHTTPServer((host, port), make_handler(gateway))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8026)
    parser.add_argument("--api-key", default="dev-pg-key")
    parser.add_argument("--merchant-secret", default="dev-pg-secret", help="HMAC key of callbacks")
    parser.add_argument("--store", type=Path, default=None, help="append orders to this JSONL")
    parser.add_argument("--fee-bps", type=int, default=100, help="gateway fee in basis points")
    parser.add_argument("--order-ttl", type=float, default=900.0, help="seconds an order lives")
    args = parser.parse_args()
    server = serve(
        args.host,
        args.port,
        api_key=args.api_key,
        merchant_secret=args.merchant_secret,
        store=args.store,
        fee_bps=args.fee_bps,
        order_ttl=args.order_ttl,
    )
    print(
        f"Payment gateway simulator on http://{args.host}:{server.server_address[1]}/", flush=True
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
