"""Helpers for settlement tests: a frozen clock and money collected for a revenue head."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
from django.utils import timezone

from emitra.ledger import chart
from emitra.ledger import services as ledger
from emitra.ledger.models import Account, JournalTransaction


@contextmanager
def frozen(moment: datetime, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every `timezone.now()` answers `moment` inside the block."""
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment)
        yield


_counter = iter(range(1, 1_000_000))


def collect(
    head: Account, amount: int, *, cause_id: str = "", target: Account | None = None
) -> JournalTransaction:
    """Money collected for a revenue head (gateway clearing → the head), as a payment would."""
    n = next(_counter)
    return ledger.transfer(
        legs=[ledger.Leg(chart.gateway_clearing(), target or head, amount)],
        kind="payment",
        scope="test-payment",
        key=f"pay-{n}",
        cause=ledger.Cause("billpay.payment", cause_id or f"PAY-{n}"),
    )
