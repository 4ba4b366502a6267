"""Per-request facts (request id, client address) that services may record without `request`."""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="")
client_ip_var: ContextVar[str | None] = ContextVar("client_ip", default=None)
