"""Demo wallets: each demo operator's wallet is opened empty (₹0) — money arrives only by a
top-up through the payment gateway simulator, as in production."""

from __future__ import annotations

from emitra.accounts.demo import PEOPLE
from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.ledger.models import Account
from emitra.payments import services


def ensure_demo_wallets() -> dict[str, Account]:
    """Open the wallet of every demo operator that has none; returns username → wallet."""
    usernames = [person.username for person in PEOPLE if person.role == Role.OPERATOR]
    return {
        operator.username: services.ensure_wallet(operator=operator)
        for operator in User.objects.filter(username__in=usernames).order_by("username")
    }
