"""The operator's counter screen in one read: today's wallet lines, balances, this month's
commission and the pending items.

Pending items come from a list of providers, one per kind of unfinished work. The wallet's
open top-ups are here; the bill payments and applications apps add theirs with
`register_pending_provider(fn)` in their AppConfig.ready (fn(operator) -> list[PendingItem]).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from emitra.accounts.models import User
from emitra.commissions import selectors as commission_selectors
from emitra.kiosks.models import Kiosk
from emitra.ledger import selectors as ledger_selectors
from emitra.ledger.models import Entry
from emitra.payments import selectors as payment_selectors

TODAY_LIMIT = 50


@dataclass(frozen=True)
class PendingItem:
    label: str | Promise
    reference: str
    amount: int | None  # paise
    since: datetime
    url: str


PendingProvider = Callable[[User], list[PendingItem]]


def pending_topups(operator: User) -> list[PendingItem]:
    return [
        PendingItem(
            label=_("Wallet top-up"),
            reference=t.number,
            amount=t.amount,
            since=t.created_at,
            url=reverse("payments:topup", args=[t.number]),
        )
        for t in payment_selectors.open_topups_of(operator)[:20]
    ]


# Extend with the pending bill payments and applications (see the module docstring).
PENDING_ITEM_PROVIDERS: list[PendingProvider] = [pending_topups]


def register_pending_provider(fn: PendingProvider) -> PendingProvider:
    if fn not in PENDING_ITEM_PROVIDERS:
        PENDING_ITEM_PROVIDERS.append(fn)
    return fn


# Where the counter serves a service found by the quick search: the apps that serve services
# (bill payments, applications) sit above this one and register `fn(service) -> url or ""`.
ServeLink = Callable[[Any], str]
SERVE_LINKS: list[ServeLink] = []


def register_serve_link(fn: ServeLink) -> ServeLink:
    if fn not in SERVE_LINKS:
        SERVE_LINKS.append(fn)
    return fn


def serve_url(service: Any) -> str:
    """The counter page that serves `service`, or "" when no app serves it at a kiosk."""
    for link in SERVE_LINKS:
        if url := link(service):
            return url
    return ""


@dataclass(frozen=True)
class TodayLine:
    at: datetime
    transaction_id: int
    kind: str
    memo: str
    amount: int


@dataclass(frozen=True)
class ConsoleDay:
    kiosk: Kiosk | None
    has_wallet: bool
    available: int
    posted: int
    today: list[TodayLine]
    today_count: int
    today_in: int
    today_out: int
    commission_month: int
    commission_count: int
    pending: list[PendingItem] = field(default_factory=list)


def start_of_today() -> datetime:
    now = timezone.localtime()
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def console_day(*, operator: User, kiosk: Kiosk | None) -> ConsoleDay:
    """Everything the console shows, in a handful of queries."""
    wallet = ledger_selectors.wallet_of(operator.pk)
    since = start_of_today()
    lines: list[TodayLine] = []
    count = money_in = money_out = 0
    available = posted = 0
    if wallet is not None:
        balances = payment_selectors.balances(wallet)
        available, posted = balances.available, balances.posted
        entries = (
            Entry.objects.filter(account=wallet, created_at__gte=since)
            .select_related("transaction")
            .order_by("-created_at", "-id")
        )
        for entry in entries:
            count += 1
            if entry.amount > 0:
                money_in += entry.amount
            else:
                money_out -= entry.amount
            if len(lines) < TODAY_LIMIT:
                lines.append(
                    TodayLine(
                        at=entry.created_at,
                        transaction_id=entry.transaction_id,
                        kind=entry.transaction.kind,
                        memo=entry.transaction.memo,
                        amount=entry.amount,
                    )
                )
    month_start = since.replace(day=1)
    commission = commission_selectors.lines_of(operator.pk, start=month_start, end=timezone.now())
    pending: list[PendingItem] = []
    for provider in PENDING_ITEM_PROVIDERS:
        pending.extend(provider(operator))
    pending.sort(key=lambda item: item.since)
    return ConsoleDay(
        kiosk=kiosk,
        has_wallet=wallet is not None,
        available=available,
        posted=posted,
        today=lines,
        today_count=count,
        today_in=money_in,
        today_out=money_out,
        commission_month=sum(line.kiosk_share for line in commission),
        commission_count=len(commission),
        pending=pending,
    )
