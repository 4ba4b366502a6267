"""Reads for the wallet pages, scoped to the operator who asks."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from emitra.accounts.models import User
from emitra.ledger import selectors as ledger_selectors
from emitra.ledger.models import Account
from emitra.payments.models import OPEN_STATES, TopUp, TopUpState

RECENT = 50


@dataclass(frozen=True)
class Balances:
    available: int
    posted: int


def balances(wallet: Account) -> Balances:
    return Balances(
        available=ledger_selectors.available_balance(wallet),
        posted=ledger_selectors.posted_balance(wallet),
    )


def topups_of(operator: User, *, state: str = "") -> QuerySet[TopUp]:
    """The operator's own top-ups, newest first, optionally in one state."""
    rows = TopUp.objects.filter(operator=operator).order_by("-created_at", "-id")
    if state in TopUpState.values:
        rows = rows.filter(state=state)
    return rows


def open_topups_of(operator: User) -> QuerySet[TopUp]:
    return topups_of(operator).filter(state__in=OPEN_STATES)


def topup_for(operator: User, number: str) -> TopUp:
    """One of the operator's top-ups, or 404 — also for another operator's, so a URL does
    not reveal which numbers exist."""
    found = TopUp.objects.filter(operator=operator, number=number[:32]).first()
    if found is None:
        raise Http404(number)
    return found
