import itertools

import pytest

from emitra.ledger import services
from emitra.ledger.models import Account, AccountKind

_codes = itertools.count(1)


@pytest.fixture
def open_account(db):
    def make(kind: str = AccountKind.KIOSK_WALLET, *, floor: int | None = 0, **extra) -> Account:
        n = next(_codes)
        limited = kind in (AccountKind.KIOSK_WALLET, AccountKind.LSP)
        return services.open_account(
            code=extra.pop("code", f"{kind}:{n}"),
            kind=kind,
            name=f"{kind} {n}",
            floor=floor if limited else None,
            **extra,
        )

    return make


@pytest.fixture
def gateway(open_account):
    return open_account(AccountKind.GATEWAY_CLEARING)


@pytest.fixture
def wallet(open_account):
    return open_account(AccountKind.KIOSK_WALLET)


@pytest.fixture
def fund(gateway):
    """Top a wallet up from the gateway clearing account."""

    def top_up(account: Account, amount: int, key: str | None = None):
        return services.transfer(
            legs=[services.Leg(gateway, account, amount)],
            kind="topup",
            scope="test",
            key=key or f"fund-{account.pk}-{next(_codes)}",
        )

    return top_up
