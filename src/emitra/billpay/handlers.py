"""Outbox handlers of the bill-payment saga. Both are non-atomic: they call the biller over
HTTP outside any transaction, and each applies the answer in its own transaction. Running one
twice (a worker killed after the biller answered) is harmless: the biller is idempotent on the
receipt number and every state change is conditional."""

from __future__ import annotations

from emitra.billpay import services
from emitra.core import outbox
from emitra.core.jobs import periodic


@outbox.handler("billpay.call_biller", atomic=False)
def call_biller(message: outbox.Envelope) -> None:
    services.send_to_biller(number=str(message.payload["payment"]))


@outbox.handler("billpay.check_status", atomic=False)
def check_status(message: outbox.Envelope) -> None:
    services.check_with_biller(
        number=str(message.payload["payment"]), poll=int(message.payload["poll"])
    )


@periodic("billpay.refer_payments_near_hold_expiry", every_seconds=300)
def refer_payments_near_hold_expiry() -> int:
    """Refer to staff any pending payment whose hold lapses within a day (see services)."""
    return services.refer_payments_near_hold_expiry()
