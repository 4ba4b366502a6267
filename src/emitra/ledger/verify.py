"""Recompute the ledger from its entries and check every invariant (`emitra ledger verify`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q, Sum

from emitra.ledger.models import Account, Entry, Hold, HoldState, JournalTransaction


@dataclass
class VerifyReport:
    accounts: int = 0
    transactions: int = 0
    entries: int = 0
    open_holds: int = 0
    breaches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaches


def verify_ledger() -> VerifyReport:
    report = VerifyReport(
        accounts=Account.objects.count(),
        transactions=JournalTransaction.objects.count(),
        entries=Entry.objects.count(),
        open_holds=Hold.objects.filter(state=HoldState.OPEN).count(),
    )
    breach = report.breaches.append
    total = Entry.objects.aggregate(t=Sum("amount"))["t"] or 0
    if total != 0:
        breach(f"all entries sum to {total}, not 0")
    unbalanced = (
        Entry.objects.values("transaction_id")
        .annotate(total=Sum("amount"), legs=Count("id"))
        .filter(~Q(total=0) | Q(legs__lt=2))
    )
    for row in unbalanced[:20]:
        breach(f"transaction {row['transaction_id']}: {row['legs']} legs summing to {row['total']}")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM ledger_entry e LEFT JOIN ledger_journaltransaction t "
            "ON t.id = e.transaction_id WHERE t.id IS NULL"
        )
        row = cursor.fetchone()
    if row and row[0]:
        breach(f"{row[0]} entries without a transaction")
    sums = dict(Entry.objects.values_list("account_id").annotate(total=Sum("amount")))
    held = dict(
        Hold.objects.filter(state=HoldState.OPEN)
        .values_list("account_id")
        .annotate(total=Sum("amount"))
    )
    for account in Account.objects.exclude(floor__isnull=True).iterator():
        from_entries = int(sums.get(account.pk) or 0)
        if account.balance != from_entries:
            breach(f"{account.code}: balance {account.balance} but entries sum to {from_entries}")
        open_total = int(held.get(account.pk) or 0)
        if account.held != open_total:
            breach(f"{account.code}: held {account.held} but open holds sum to {open_total}")
        assert account.floor is not None
        if account.balance - account.held < account.floor:
            breach(f"{account.code}: available {account.balance - account.held} below floor")
    for hold in Hold.objects.exclude(state=HoldState.OPEN).filter(resolved_at__isnull=True)[:20]:
        breach(f"hold {hold.pk} is {hold.state} without a resolution time")
    for hold in Hold.objects.filter(state=HoldState.POSTED, resolved_by__isnull=True)[:20]:
        breach(f"hold {hold.pk} posted without a transaction")
    return report
