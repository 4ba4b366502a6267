"""The console's day in numbers: this month's commission (not last month's), today's wallet
lines (not yesterday's) and the open wallet top-ups among the pending items."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from emitra.catalog.pricing import quote
from emitra.catalog.tests import factories as catalog_factories
from emitra.commissions import services as commissions
from emitra.core.money import Paise
from emitra.kiosks.console import console_day, start_of_today
from emitra.kiosks.models import Kiosk, KioskStatus
from emitra.kiosks.tests import factories
from emitra.ledger import chart
from emitra.ledger import selectors as ledger_selectors
from emitra.ledger import services as ledger
from emitra.ledger.models import Account
from emitra.ledger.services import Cause, Leg
from emitra.payments import services as payments

pytestmark = pytest.mark.django_db
_keys = itertools.count(1)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Everything written inside happens at `moment` (the ledger stamps rows with now())."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment)
        yield


@pytest.fixture
def kiosk(lsp, society) -> Kiosk:
    return factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society, category="A")


@pytest.fixture
def wallet(kiosk) -> Account:
    found = ledger_selectors.wallet_of(kiosk.operator_id)
    assert found is not None
    return found


def top_up(wallet: Account, amount: int) -> None:
    ledger.transfer(
        legs=[Leg(debit=chart.gateway_clearing(), credit=wallet, amount=amount)],
        kind="topup",
        scope="test",
        key=f"console-{next(_keys)}",
    )


@pytest.fixture
def serve(kiosk, wallet) -> Callable[[], int]:
    """Serve one domicile application (₹10 fee + ₹50 charge); returns the kiosk's share."""
    catalog_factories.rate_card()
    revenue = catalog_factories.department("revenue")
    domicile = catalog_factories.service("domicile", revenue)
    catalog_factories.version(domicile, fees=[(catalog_factories.head("fee", revenue), 10_00)])

    def run() -> int:
        priced = quote(
            service=domicile, amount=Paise(0), channel="kiosk", kiosk_category=kiosk.category
        )
        n = next(_keys)
        held = ledger.hold(
            account=wallet,
            amount=priced.total_citizen,
            scope="test-hold",
            key=f"hold-{n}",
            expires_in=timedelta(minutes=15),
        )
        line = commissions.post_service_payment(
            operator=kiosk.operator,
            wallet=wallet,
            hold=held,
            quote=priced,
            scope="test-pay",
            key=f"pay-{n}",
            cause=Cause("test.payment", str(n)),
        )
        return line.kiosk_share

    return run


def test_this_months_commission_is_the_sum_of_this_months_kiosk_shares(kiosk, wallet, serve):
    top_up(wallet, 1_000_00)
    with clock_at(start_of_today().replace(day=1) - timedelta(hours=1)):  # last month
        serve()
    shares = [serve(), serve()]

    day = console_day(operator=kiosk.operator, kiosk=kiosk)

    assert shares[0] > 0
    assert (day.commission_month, day.commission_count) == (sum(shares), 2)


def test_yesterdays_wallet_lines_are_not_todays(kiosk, wallet):
    with clock_at(start_of_today() - timedelta(hours=2)):  # yesterday evening
        top_up(wallet, 500_00)
    top_up(wallet, 200_00)

    day = console_day(operator=kiosk.operator, kiosk=kiosk)

    assert [line.amount for line in day.today] == [200_00]
    assert (day.today_count, day.today_in, day.today_out) == (1, 200_00, 0)
    assert day.available == 700_00  # the balance counts every day


def test_open_top_ups_are_pending_items(kiosk):
    opened = payments.create_topup(operator=kiosk.operator, amount=1_000_00, key="console-open-1")

    day = console_day(operator=kiosk.operator, kiosk=kiosk)

    pending = [item for item in day.pending if item.reference == opened.number]
    assert len(pending) == 1
    assert (pending[0].amount, str(pending[0].label)) == (1_000_00, "Wallet top-up")
    assert pending[0].url == f"/wallet/topups/{opened.number}/"
