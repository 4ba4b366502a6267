"""SMS gateway simulator: `python -m emitra_sim.sms --port 8025`.

POST /api/v1/messages {to, text, ref, sender} with X-Api-Key → 201 {id}; the same `ref` again
→ 200 with the first id (idempotent, like real aggregators' client reference).
GET  /api/v1/messages?to=9829012345 → the messages sent to a number, newest first.
POST /api/v1/faults {"fail_next": 2} → the next 2 sends answer 503 (retry tests).
GET  / → an HTML inbox, so a person running the demo can read OTPs.
"""

from __future__ import annotations

import argparse
import html
import json
import threading
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class Sms:
    id: str
    to: str
    text: str
    ref: str
    sender: str
    received_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())


class Gateway:
    def __init__(self, api_key: str, store: Path | None = None) -> None:
        self.api_key = api_key
        self.store = store
        self.lock = threading.Lock()
        self.messages: list[Sms] = []
        self.by_ref: dict[str, Sms] = {}
        self.fail_next = 0
        if store is not None and store.exists():
            for line in store.read_text(encoding="utf-8").splitlines():
                sms = Sms(**json.loads(line))
                self.messages.append(sms)
                self.by_ref[sms.ref] = sms

    def accept(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        to, text = str(body.get("to", "")), str(body.get("text", ""))
        ref = str(body.get("ref") or uuid.uuid4().hex)
        if not (to.isdigit() and len(to) == 10) or not text:
            return 400, {"error": "to must be 10 digits and text non-empty"}
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return 503, {"error": "simulated outage"}
            if ref in self.by_ref:
                return 200, {"id": self.by_ref[ref].id, "status": "duplicate"}
            sms = Sms(
                id=uuid.uuid4().hex[:16],
                to=to,
                text=text,
                ref=ref,
                sender=str(body.get("sender", "")),
            )
            self.messages.append(sms)
            self.by_ref[ref] = sms
            if self.store is not None:
                with self.store.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(asdict(sms), ensure_ascii=False) + "\n")
        return 201, {"id": sms.id, "status": "accepted"}


def make_handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "emitra-sms-sim/1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests run many
            return

        def _json(self, status: int, body: object) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                parsed = json.loads(self.rfile.read(length) or b"{}")
            except json.JSONDecodeError:
                return {}
            return parsed if isinstance(parsed, dict) else {}

        def do_POST(self) -> None:
            path = urlparse(self.path).path
            if self.headers.get("X-Api-Key") != gateway.api_key:
                self._json(401, {"error": "bad api key"})
            elif path == "/api/v1/messages":
                self._json(*gateway.accept(self._body()))
            elif path == "/api/v1/faults":
                with gateway.lock:
                    gateway.fail_next = int(self._body().get("fail_next", 0))
                self._json(200, {"fail_next": gateway.fail_next})
            else:
                self._json(404, {"error": "not found"})

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path == "/healthz":
                self._json(200, {"status": "ok"})
            elif url.path == "/api/v1/messages":
                to = parse_qs(url.query).get("to", [""])[0]
                with gateway.lock:
                    found = [asdict(m) for m in reversed(gateway.messages) if not to or m.to == to]
                self._json(200, {"messages": found})
            elif url.path == "/":
                self._inbox()
            else:
                self._json(404, {"error": "not found"})

        def _inbox(self) -> None:
            with gateway.lock:
                latest = list(reversed(gateway.messages[-100:]))
            rows = "".join(
                f"<tr><td>{html.escape(m.received_at[:19])}</td><td>{html.escape(m.to)}</td>"
                f"<td><pre>{html.escape(m.text)}</pre></td></tr>"
                for m in latest
            )
            page = (
                "<!doctype html><html lang='hi'><meta charset='utf-8'>"
                "<meta http-equiv='refresh' content='5'><title>SMS simulator</title>"
                "<h1>e-Mitra SMS simulator — संदेश</h1>"
                "<p>Messages the platform sent (development only).</p>"
                f"<table border='1' cellpadding='4'><tr><th>time (UTC)</th><th>to</th>"
                f"<th>text</th></tr>{rows}</table></html>"
            ).encode()
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

    return Handler


def serve(host: str, port: int, api_key: str, store: Path | None) -> ThreadingHTTPServer:
    return ThreadingHTTPServer((host, port), make_handler(Gateway(api_key, store)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--api-key", default="dev-sms-key")
    parser.add_argument("--store", type=Path, default=None, help="append messages to this JSONL")
    args = parser.parse_args()
    server = serve(args.host, args.port, args.api_key, args.store)
    print(f"SMS simulator on http://{args.host}:{server.server_address[1]}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
