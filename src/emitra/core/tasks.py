"""Celery tasks: the same outbox execution the inline worker uses."""

from __future__ import annotations

import uuid

from emitra.core.celery import app


@app.task(name="emitra.outbox.run", acks_late=True)
def run_outbox_message(message_id: int, token: str) -> bool:
    from emitra.core.outbox import execute

    return execute(message_id, uuid.UUID(token))
