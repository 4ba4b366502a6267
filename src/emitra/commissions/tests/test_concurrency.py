"""Twins racing with one key on PostgreSQL: one posting, one line, every twin gets it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from emitra.catalog.pricing import quote
from emitra.commissions import services
from emitra.commissions.models import CommissionLine
from emitra.commissions.tests.conftest import FUNDS
from emitra.core.money import Paise
from emitra.ledger import selectors
from emitra.ledger import services as ledger
from emitra.ledger.models import JournalTransaction
from emitra.ledger.services import Cause
from emitra.ledger.tests.test_concurrency import run_threads
from emitra.ledger.verify import verify_ledger


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_twins_with_one_key_post_once_and_all_get_the_first_line(catalog, operator, wallet):
    priced = quote(
        service=catalog["domicile"], amount=Paise(0), channel="kiosk", kiosk_category="B"
    )
    held = ledger.hold(
        account=wallet, amount=60_00, scope="h", key="twin", expires_in=timedelta(minutes=5)
    )

    def post(_i: int) -> int:
        line = services.post_service_payment(
            operator=operator,
            wallet=wallet,
            hold=held,
            quote=priced,
            scope="test-pay",
            key="twin",
            cause=Cause("test.payment", "twin"),
        )
        return line.pk

    outcomes = run_threads(8, post)

    line = CommissionLine.objects.get()
    assert outcomes == [line.pk] * 8
    assert JournalTransaction.objects.filter(scope="test-pay").count() == 1
    assert selectors.posted_balance(wallet) == FUNDS - 60_00 + 38_50
    assert verify_ledger().ok
