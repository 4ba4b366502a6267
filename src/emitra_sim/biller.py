"""Biller simulator: `python -m emitra_sim.biller --port 8027`.

A BBPS-shaped biller aggregator for every biller e-Mitra collects for (electricity discoms,
PHED water, gas, telecom postpaid, DTH). It has its own consumers and bills, made up
deterministically from the consumer number, and behaves per consumer so every path of the
payment saga can be driven on purpose (by the consumer number's LAST digit):

    0 1 2 3  success                       the payment is confirmed at once
    4        decline                       {"status": "failed"} (insufficient bill, blocked …)
    5        timeout                       pay hangs longer than the client waits and is never
                                           recorded; status says not_found; cancel works
    6        5xx                           the first pay for a reference answers 503 (not
                                           recorded); a retry succeeds
    7        late success                  pay answers pending; the first two status checks
                                           say pending, then success
    8        duplicate confirmation        success, and every later pay with the same
                                           reference confirms again (same biller txn id)
    9        garbage                       pay answers 200 with a non-JSON body but records a
                                           success (status tells the truth); a number ending
                                           in 99 gets garbage from fetch as well
    …89      garbage to everything         the bill fetches normally, but pay and status answer
                                           200 with a non-JSON body and cancel answers 502: the
                                           payment is recorded and stays pending for ever (the
                                           saga must give up and refer it to staff)

Consumer numbers that start with 000 do not exist (404).

POST /api/v1/bills/fetch {biller, consumer}
     → {consumer, name, bill_number, bill_date, due_date, amount_paise}
POST /api/v1/payments    {biller, consumer, amount_paise, reference}
     → {status: success|failed|pending, biller_txn_id, reference}
     idempotent on `reference`: the same reference again returns the first outcome (409 if the
     amount or consumer differs).
GET  /api/v1/payments/<reference>
     → {status: success|failed|pending|cancelled|not_found, …}
POST /api/v1/payments/<reference>/cancel               → {status: cancelled} or the final status
     when it is too late to cancel (a confirmed payment stays confirmed).
GET  /api/v1/payments?biller=&consumer=                → {"payments": [...]} (tests and demo)
POST /api/v1/reset                                     → forget every payment (test isolation)
GET  /healthz                                          → ok

Every call needs X-Api-Key. Payments are appended to a JSONL store when --store is given.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

NAMES = [
    "Ramesh Kumar Sharma",
    "Sunita Devi Meena",
    "Mohd. Salim Khan",
    "Kamla Choudhary",
    "Gopal Singh Rathore",
    "Pushpa Kanwar",
    "Suresh Chand Jain",
    "Bhanwari Devi",
    "Mahendra Pal Gurjar",
    "Asha Bairwa",
]
_PAYMENT_PATH = re.compile(r"^/api/v1/payments/([A-Za-z0-9_-]{1,64})(/cancel)?$")
_CONSUMER = re.compile(r"^[A-Za-z0-9]{4,20}$")
LATE_PENDING_CHECKS = 2


def _now() -> datetime:
    return datetime.now(UTC)


def behaviour(consumer: str) -> str:
    """The saga path this consumer drives (see the module docstring)."""
    if consumer.endswith("89"):
        return "broken"
    last = consumer[-1:]
    return {
        "4": "decline",
        "5": "timeout",
        "6": "error",
        "7": "late",
        "8": "duplicate",
        "9": "garbage",
    }.get(last, "success")


def bill_for(biller: str, consumer: str, today: date | None = None) -> dict[str, Any]:
    """The consumer's current bill, the same every time it is asked for."""
    digest = hashlib.sha256(f"{biller}:{consumer}".encode()).digest()
    amount = 200_00 + int.from_bytes(digest[:4], "big") % 4_800_00  # ₹200 … ₹5,000
    amount -= amount % 100  # whole rupees, as bills are
    month = (today or _now().date()).replace(day=1)
    return {
        "biller": biller,
        "consumer": consumer,
        "name": NAMES[digest[4] % len(NAMES)],
        "bill_number": f"{biller[:3].upper()}{int.from_bytes(digest[5:9], 'big') % 10**8:08d}",
        "bill_date": month.isoformat(),
        "due_date": (month + timedelta(days=24)).isoformat(),
        "amount_paise": amount,
    }


@dataclass
class Payment:
    reference: str
    biller: str
    consumer: str
    amount_paise: int
    status: str  # success | failed | pending | cancelled
    biller_txn_id: str
    behaviour: str
    created_at: str = field(default_factory=lambda: _now().isoformat())
    status_checks: int = 0
    confirmations: int = 1
    reason: str = ""

    def public(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "biller": self.biller,
            "consumer": self.consumer,
            "amount_paise": self.amount_paise,
            "status": self.status,
            "biller_txn_id": self.biller_txn_id,
            "reason": self.reason,
            "created_at": self.created_at,
            "confirmations": self.confirmations,
        }


class Biller:
    def __init__(self, *, api_key: str, store: Path | None, hang_seconds: float) -> None:
        self.api_key = api_key
        self.store = store
        self.hang_seconds = hang_seconds
        self.payments: dict[str, Payment] = {}
        self.errors_given: set[str] = set()  # references that already got their 503
        self.cancelled: set[str] = set()  # references cancelled before they were recorded
        self.lock = threading.Lock()
        self.counter = 0

    def _persist(self, payment: Payment) -> None:
        if self.store is not None:
            with self.store.open("a", encoding="utf-8") as out:
                out.write(json.dumps(asdict(payment), ensure_ascii=False) + "\n")

    def fetch(self, body: dict[str, Any]) -> tuple[int, Any]:
        biller, consumer = str(body.get("biller", "")), str(body.get("consumer", ""))
        if not biller or not _CONSUMER.match(consumer):
            return 400, {"error": "bad_request"}
        if consumer.startswith("000"):
            return 404, {"error": "unknown_consumer"}
        if consumer.endswith("99"):
            return 200, b"<html>Service Temporarily Unavailable</html>"
        return 200, bill_for(biller, consumer)

    def pay(self, body: dict[str, Any]) -> tuple[int, Any]:
        try:
            biller = str(body["biller"])
            consumer = str(body["consumer"])
            amount = int(body["amount_paise"])
            reference = str(body["reference"])
        except (KeyError, TypeError, ValueError):
            return 400, {"error": "bad_request"}
        if not _CONSUMER.match(consumer) or amount <= 0 or not reference:
            return 400, {"error": "bad_request"}
        if consumer.startswith("000"):
            return 404, {"error": "unknown_consumer"}
        kind = behaviour(consumer)
        with self.lock:
            earlier = self.payments.get(reference)
            if earlier is not None:
                if earlier.amount_paise != amount or earlier.consumer != consumer:
                    return 409, {"error": "reference_reused"}
                if earlier.status == "success":
                    earlier.confirmations += 1
                    self._persist(earlier)
                return 200, earlier.public()
            if reference in self.cancelled:
                return 200, {"reference": reference, "status": "cancelled", "biller_txn_id": ""}
            if kind == "error" and reference not in self.errors_given:
                self.errors_given.add(reference)
                return 503, {"error": "temporarily_unavailable"}
        if kind == "timeout":
            time.sleep(self.hang_seconds)
            return 504, {"error": "gateway_timeout"}
        with self.lock:
            if (earlier := self.payments.get(reference)) is not None:
                return 200, earlier.public()
            self.counter += 1
            status = {"decline": "failed", "late": "pending", "broken": "pending"}.get(
                kind, "success"
            )
            payment = Payment(
                reference=reference,
                biller=biller,
                consumer=consumer,
                amount_paise=amount,
                status=status,
                biller_txn_id=f"BBPS{int(time.time()):010d}{self.counter:06d}",
                behaviour=kind,
                reason="Payment declined by the biller" if status == "failed" else "",
            )
            self.payments[reference] = payment
            self._persist(payment)
        if kind in ("garbage", "broken"):
            return 200, b"OK\x00<<garbled>>"
        return 200, payment.public()

    def status(self, reference: str) -> tuple[int, Any]:
        with self.lock:
            payment = self.payments.get(reference)
            if payment is None:
                status = "cancelled" if reference in self.cancelled else "not_found"
                return 200, {"reference": reference, "status": status, "biller_txn_id": ""}
            if payment.behaviour == "broken":
                payment.status_checks += 1
                return 200, b"<html><body>Internal error \x00 try later</body></html>"
            if payment.status == "pending":
                payment.status_checks += 1
                if payment.status_checks > LATE_PENDING_CHECKS:
                    payment.status = "success"
                    self._persist(payment)
            return 200, payment.public()

    def cancel(self, reference: str) -> tuple[int, Any]:
        with self.lock:
            payment = self.payments.get(reference)
            if payment is not None and payment.behaviour == "broken":
                return 502, b"<html><body>Bad Gateway</body></html>"
            if payment is None:
                self.cancelled.add(reference)
                return 200, {"reference": reference, "status": "cancelled", "biller_txn_id": ""}
            if payment.status == "pending":
                payment.status = "cancelled"
                self._persist(payment)
            return 200, payment.public()

    def listing(self, biller: str, consumer: str) -> tuple[int, Any]:
        with self.lock:
            found = [
                p.public()
                for p in self.payments.values()
                if (not biller or p.biller == biller) and (not consumer or p.consumer == consumer)
            ]
        return 200, {"payments": found}

    def reset(self) -> None:
        with self.lock:
            self.payments.clear()
            self.errors_given.clear()
            self.cancelled.clear()


def make_handler(biller: Biller) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests run many
            pass

        def _send(self, status: int, body: Any) -> None:
            if isinstance(body, bytes):
                data, kind = body, "text/html"
            else:
                data, kind = json.dumps(body).encode(), "application/json"
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout behaviour)

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                data = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                return {}
            return data if isinstance(data, dict) else {}

        def _authorised(self) -> bool:
            if self.headers.get("X-Api-Key") == biller.api_key:
                return True
            self._send(401, {"error": "unauthorised"})
            return False

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path == "/healthz":
                self._send(200, {"status": "ok"})
                return
            if not self._authorised():
                return
            if url.path == "/api/v1/payments":
                query = parse_qs(url.query)
                self._send(
                    *biller.listing(query.get("biller", [""])[0], query.get("consumer", [""])[0])
                )
                return
            match = _PAYMENT_PATH.match(url.path)
            if match and not match[2]:
                self._send(*biller.status(match[1]))
                return
            self._send(404, {"error": "not_found"})

        def do_POST(self) -> None:
            url = urlparse(self.path)
            body = self._body()
            if not self._authorised():
                return
            if url.path == "/api/v1/bills/fetch":
                self._send(*biller.fetch(body))
            elif url.path == "/api/v1/payments":
                self._send(*biller.pay(body))
            elif url.path == "/api/v1/reset":
                biller.reset()
                self._send(200, {"status": "reset"})
            elif (match := _PAYMENT_PATH.match(url.path)) and match[2]:
                self._send(*biller.cancel(match[1]))
            else:
                self._send(404, {"error": "not_found"})

    return Handler


def serve(
    host: str, port: int, *, api_key: str, store: Path | None = None, hang_seconds: float = 30.0
) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(
        (host, port),
        make_handler(Biller(api_key=api_key, store=store, hang_seconds=hang_seconds)),
    )
    server.daemon_threads = True
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8027)
    parser.add_argument("--api-key", default="dev-biller-key")
    parser.add_argument("--store", type=Path, default=None, help="append payments to this JSONL")
    parser.add_argument(
        "--hang-seconds", type=float, default=30.0, help="how long a 'timeout' consumer hangs"
    )
    args = parser.parse_args()
    server = serve(
        args.host, args.port, api_key=args.api_key, store=args.store, hang_seconds=args.hang_seconds
    )
    print(f"Biller simulator on http://{args.host}:{server.server_address[1]}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
