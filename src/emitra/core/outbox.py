"""The transactional outbox: side effects queued with the change, run after it commits.

`enqueue` writes a row in the caller's transaction. `emitra worker` claims due rows with a
lease (``SKIP LOCKED`` on PostgreSQL, a conditional UPDATE on SQLite), runs the topic's handler
and marks the row done. An *atomic* handler runs in the same transaction as the "done" mark, so
its database effects happen exactly once however often it is retried; a non-atomic handler
(one that calls a partner over HTTP) runs outside it and must be idempotent at the receiver —
it gets the message key (a UUID) to use as the partner's idempotency reference. Failures back off
exponentially; after `max_attempts` the row becomes a dead letter shown in the admin.
"""

from __future__ import annotations

import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from emitra.core.context import request_id_var
from emitra.core.models import OutboxMessage, OutboxStatus

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Envelope:
    id: int
    key: uuid.UUID
    topic: str
    payload: dict[str, Any]
    attempt: int


HandlerFn = Callable[[Envelope], None]


@dataclass(frozen=True)
class Handler:
    fn: HandlerFn
    atomic: bool


HANDLERS: dict[str, Handler] = {}


class LeaseLost(Exception):
    """Another worker took the message over after our lease ran out; our work is undone."""


def handler(topic: str, *, atomic: bool = True) -> Callable[[HandlerFn], HandlerFn]:
    def register(fn: HandlerFn) -> HandlerFn:
        HANDLERS[topic] = Handler(fn=fn, atomic=atomic)
        return fn

    return register


def enqueue(topic: str, *, delay: timedelta | None = None, **payload: Any) -> OutboxMessage:
    """Queue `topic` with a JSON payload in the caller's transaction."""
    if topic not in HANDLERS:
        raise LookupError(f"no outbox handler for topic {topic!r}")
    return OutboxMessage.objects.create(
        topic=topic,
        payload=payload,
        max_attempts=settings.OUTBOX_MAX_ATTEMPTS,
        available_at=timezone.now() + (delay or timedelta()),
        request_id=request_id_var.get(),
    )


def backoff(attempt: int) -> timedelta:
    """5 s, 10 s, 20 s … capped at one hour."""
    return timedelta(seconds=min(5 * 2 ** max(attempt - 1, 0), 3600))


def claim_due(*, limit: int = 50) -> list[tuple[int, uuid.UUID]]:
    """Lease up to `limit` due messages; each (id, token) may then be executed once."""
    now = timezone.now()
    lease_until = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    due = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, available_at__lte=now)
    claimed: list[tuple[int, uuid.UUID]] = []
    with transaction.atomic():
        if connection.vendor == "postgresql":
            ids = list(
                due.select_for_update(skip_locked=True)
                .order_by("available_at", "id")
                .values_list("id", flat=True)[:limit]
            )
        else:
            ids = list(due.order_by("available_at", "id").values_list("id", flat=True)[:limit])
        for message_id in ids:
            token = OutboxMessage.new_lease()
            taken = due.filter(pk=message_id).update(
                lease_token=token, available_at=lease_until, attempts=F("attempts") + 1
            )
            if taken == 1:
                claimed.append((message_id, token))
    return claimed


def _finish(message_id: int, token: uuid.UUID, *, redact: bool) -> None:
    fields: dict[str, Any] = {"payload": {"redacted": True}} if redact else {}
    done = OutboxMessage.objects.filter(pk=message_id, lease_token=token).update(
        status=OutboxStatus.DONE, done_at=timezone.now(), lease_token=None, last_error="", **fields
    )
    if done != 1:
        raise LeaseLost(message_id)


def _fail(message_id: int, token: uuid.UUID, error: str) -> None:
    with transaction.atomic():
        message = OutboxMessage.objects.filter(pk=message_id, lease_token=token).first()
        if message is None:
            return
        dead = message.attempts >= message.max_attempts
        OutboxMessage.objects.filter(pk=message_id, lease_token=token).update(
            status=OutboxStatus.DEAD if dead else OutboxStatus.PENDING,
            available_at=timezone.now() + backoff(message.attempts),
            lease_token=None,
            last_error=error[-4000:],
        )
    log.warning("outbox.failed", message_id=message_id, dead=dead, attempts=message.attempts)


def execute(message_id: int, token: uuid.UUID) -> bool:
    """Run one leased message; True if it is now done."""
    message = OutboxMessage.objects.filter(pk=message_id, lease_token=token).first()
    if message is None:
        return False
    registered = HANDLERS.get(message.topic)
    envelope = Envelope(
        id=message.pk,
        key=message.key,
        topic=message.topic,
        payload=message.payload,
        attempt=message.attempts,
    )
    # A payload marked sensitive (an OTP) is wiped once delivered; it is not kept as history.
    redact = bool(message.payload.get("sensitive"))
    reset = request_id_var.set(message.request_id)
    try:
        if registered is None:
            raise LookupError(f"no outbox handler for topic {message.topic!r}")
        if registered.atomic:
            with transaction.atomic():
                registered.fn(envelope)
                _finish(message_id, token, redact=redact)
        else:
            registered.fn(envelope)
            with transaction.atomic():
                _finish(message_id, token, redact=redact)
    except LeaseLost:
        log.warning("outbox.lease_lost", message_id=message_id)
        return False
    except Exception:
        _fail(message_id, token, traceback.format_exc())
        return False
    finally:
        request_id_var.reset(reset)
    log.info("outbox.done", message_id=message_id, topic=message.topic)
    return True


def run_due(*, limit: int = 50) -> int:
    """Inline backend: claim and run due messages in this process. Returns how many ran."""
    return sum(1 for message_id, token in claim_due(limit=limit) if execute(message_id, token))


def dispatch_due(*, limit: int = 200) -> int:
    """Celery backend: lease due messages and hand each to a Celery worker."""
    from emitra.core.tasks import run_outbox_message

    claimed = claim_due(limit=limit)
    for message_id, token in claimed:
        run_outbox_message.delay(message_id, str(token))
    return len(claimed)


@transaction.atomic
def retry_dead(*, message_ids: list[int]) -> int:
    """Give dead letters a fresh set of attempts (an admin act, audited by the caller)."""
    return OutboxMessage.objects.filter(pk__in=message_ids, status=OutboxStatus.DEAD).update(
        status=OutboxStatus.PENDING, attempts=0, available_at=timezone.now(), lease_token=None
    )
