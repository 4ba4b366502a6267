"""Kiosk tests read English messages; receipts come from a fake lookup registered per test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone, translation

from emitra.kiosks import receipts
from emitra.kiosks.receipts import ReceiptRef
from emitra.kiosks.tests import factories


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def jaipur(db: None) -> Any:
    return factories.district("jaipur")


@pytest.fixture
def ajmer(db: None) -> Any:
    return factories.district("ajmer")


@pytest.fixture
def lsp(jaipur: Any) -> Any:
    return factories.lsp(jaipur)


@pytest.fixture
def society(jaipur: Any) -> Any:
    """Jaipur's district e-governance society."""
    return factories.user("district_admin", jaipur)


class FakeReceipts:
    def __init__(self) -> None:
        self.known: dict[str, ReceiptRef] = {}

    def issue(self, number: str, *, kiosk: Any, amount: int = 60_00) -> ReceiptRef:
        ref = ReceiptRef(
            number=number,
            kiosk_code=kiosk.code,
            operator_id=None,
            service_name_en="Domicile certificate",
            service_name_hi="मूल निवास प्रमाण-पत्र",
            amount=amount,
            issued_at=datetime(2026, 11, 2, 11, 0, tzinfo=timezone.get_current_timezone()),
        )
        self.known[number] = ref
        return ref

    def __call__(self, number: str) -> ReceiptRef | None:
        return self.known.get(number)


@pytest.fixture
def fake_receipts() -> Iterator[FakeReceipts]:
    fake = FakeReceipts()
    receipts.register_lookup(fake)
    yield fake
    receipts.unregister_lookup(fake)
