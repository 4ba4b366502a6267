"""Bill payment tests: the shipped catalog (the real BILL services), an operator with a funded
wallet, the biller simulator as its own process, and helpers that fetch, pay and run the
outbox the way `emitra worker` does."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from conftest import give_kiosk
from emitra.accounts.roles import Role
from emitra.billpay import services
from emitra.billpay.billers import ensure_billers
from emitra.billpay.models import Biller, BillPayment
from emitra.catalog import catalogfile, search
from emitra.core import outbox
from emitra.core.models import OutboxMessage, OutboxStatus
from emitra.ledger import chart
from emitra.ledger import selectors as ledger_selectors
from emitra.ledger import services as ledger
from emitra.ledger.models import Account
from emitra.ledger.services import Leg
from emitra.ledger.verify import verify_ledger

FUNDS = 20_000_00
_keys = itertools.count(1)


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read messages in English (the msgids); Hindi pages are tested on purpose."""
    with translation.override("en"):
        yield


@pytest.fixture
def catalog(db):
    search.invalidate()
    result = catalogfile.load_shipped_catalog()
    ensure_billers(Biller)  # seeded by migration; a transactional test before us flushed them
    yield result
    search.invalidate()


def fund(user: Any, amount: int = FUNDS) -> Account:
    wallet = ledger_selectors.wallet_of(user.pk) or ledger.open_operator_wallet(
        user_id=user.pk, name=user.full_name
    )
    ledger.transfer(
        legs=[Leg(chart.gateway_clearing(), wallet, amount)],
        kind="topup",
        scope="test",
        key=f"fund-{wallet.pk}-{next(_keys)}",
    )
    return wallet


@pytest.fixture
def operator(make_user, catalog):
    user = make_user(Role.OPERATOR, full_name="Kamla Meena", preferred_language="en")
    give_kiosk(user)
    return user


@pytest.fixture
def wallet(operator):
    return fund(operator)


def k_number(last: int | str, prefix: str = "21051234567") -> str:
    """A JVVNL K-number whose last digit picks the simulator's behaviour."""
    return f"{prefix}{last}"


def new_key() -> str:
    return f"test-key-{next(_keys):06d}"


def run_outbox(limit: int = 60) -> int:
    """Run due outbox messages until none is left (the worker's loop, in this process)."""
    ran = 0
    for _ in range(limit):
        done = outbox.run_due()
        ran += done
        if not OutboxMessage.objects.filter(
            status=OutboxStatus.PENDING, available_at__lte=_now()
        ).exists():
            break
    return ran


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


@pytest.fixture
def jvvnl(catalog) -> Biller:
    return Biller.objects.get(code="jvvnl")


@pytest.fixture
def pay(operator, wallet) -> Callable[..., BillPayment]:
    """Fetch the bill and pay it (the whole amount unless told), as the counter does."""

    def run(
        consumer: str,
        *,
        biller: str = "jvvnl",
        amount: int | None = None,
        who: Any = None,
        **extra: Any,
    ) -> BillPayment:
        person = who or operator
        row = Biller.objects.get(code=biller)
        bill = services.fetch_bill(operator=person, biller=row, consumer=consumer)
        return services.pay_bill(
            operator=person,
            biller=row,
            consumer=consumer,
            amount=bill.amount if amount is None else amount,
            key=extra.pop("key", None) or new_key(),
            **extra,
        )

    return run


def available(wallet: Account) -> int:
    return ledger_selectors.available_balance(wallet)


def posted(wallet: Account) -> int:
    return ledger_selectors.posted_balance(wallet)


def assert_ledger_ok() -> None:
    report = verify_ledger()
    assert report.ok, report.breaches
