"""Reads of the ledger: balances, statements, the chart of accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Sum

from emitra.ledger.models import Account, AccountKind, Entry, Hold, HoldState


def wallet_of(user_id: int) -> Account | None:
    """The operator's wallet, if one was opened (see services.open_operator_wallet)."""
    return Account.objects.filter(
        kind=AccountKind.KIOSK_WALLET, owner_type="accounts.user", owner_id=str(user_id)
    ).first()


def posted_balance(account: Account) -> int:
    """Limited accounts keep it on their row; hot accounts are the sum of their entries."""
    if account.floor is not None:
        return Account.objects.values_list("balance", flat=True).get(pk=account.pk)
    total = Entry.objects.filter(account=account).aggregate(total=Sum("amount"))["total"]
    return int(total or 0)


def available_balance(account: Account) -> int:
    if account.floor is None:
        return posted_balance(account)
    row = Account.objects.values_list("balance", "held").get(pk=account.pk)
    return int(row[0] - row[1])


def open_holds(account: Account) -> list[Hold]:
    return list(Hold.objects.filter(account=account, state=HoldState.OPEN).order_by("created_at"))


@dataclass(frozen=True)
class StatementLine:
    at: datetime
    transaction_id: int
    kind: str
    memo: str
    amount: int
    running_balance: int


def statement(
    account: Account, *, start: datetime, end: datetime
) -> tuple[int, list[StatementLine]]:
    """Opening balance at `start` and each entry until `end` with the running balance."""
    before = Entry.objects.filter(account=account, created_at__lt=start).aggregate(t=Sum("amount"))
    running = int(before["t"] or 0)
    opening = running
    lines = []
    rows = (
        Entry.objects.filter(account=account, created_at__gte=start, created_at__lt=end)
        .select_related("transaction")
        .order_by("created_at", "id")
    )
    for entry in rows:
        running += entry.amount
        lines.append(
            StatementLine(
                at=entry.created_at,
                transaction_id=entry.transaction_id,
                kind=entry.transaction.kind,
                memo=entry.transaction.memo,
                amount=entry.amount,
                running_balance=running,
            )
        )
    return opening, lines
