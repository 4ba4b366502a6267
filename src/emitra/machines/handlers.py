"""Outbox handlers: finish a machine's cash payment once the biller has answered, even if the
citizen walked away from the screen."""

from __future__ import annotations

from emitra.core import outbox
from emitra.machines import services
from emitra.machines.models import CashState


@outbox.handler("machines.settle")
def settle(envelope: outbox.Envelope) -> None:
    cash = services.settle(key=str(envelope.payload["key"]))
    checks = int(envelope.payload.get("checks", 1))
    if cash.state == CashState.PAYING and checks < services.SETTLE_MAX_CHECKS:
        outbox.enqueue(
            "machines.settle", delay=services.SETTLE_DELAY, key=cash.key, checks=checks + 1
        )
