"""Refusals of the ledger: a code for programs, a translated message for people."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from emitra.core.errors import Conflict, DomainError, InvalidInput, NotFound


class InvalidAmount(InvalidInput):
    def __init__(self) -> None:
        super().__init__("ledger.invalid_amount", _("Amounts must be whole paise above zero."))


class UnknownAccount(NotFound):
    def __init__(self, code: str = "") -> None:
        super().__init__(
            "ledger.unknown_account",
            _("Unknown or closed ledger account %(code)s.") % {"code": code},
        )


class CurrencyMismatch(InvalidInput):
    def __init__(self) -> None:
        super().__init__("ledger.currency_mismatch", _("All legs must be in the same currency."))


class Unbalanced(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "ledger.unbalanced", _("The entries do not balance: debits must equal credits.")
        )


class InsufficientFunds(DomainError):
    status = 422

    def __init__(self, code: str = "") -> None:
        super().__init__(
            "ledger.insufficient_funds",
            _("Not enough balance in wallet %(code)s. Top up the wallet first.") % {"code": code},
        )


class KeyReused(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "ledger.key_reused",
            _("This request key was already used for a different request."),
        )


class HoldResolved(Conflict):
    def __init__(self, state: str) -> None:
        super().__init__(
            "ledger.hold_resolved", _("This hold is already %(state)s.") % {"state": state}
        )


class HoldExpired(Conflict):
    def __init__(self) -> None:
        super().__init__("ledger.hold_expired", _("This hold has expired and can only be voided."))


class PostExceedsHold(InvalidInput):
    def __init__(self) -> None:
        super().__init__("ledger.post_exceeds_hold", _("More cannot be posted than was held."))


class AlreadyReversed(Conflict):
    def __init__(self) -> None:
        super().__init__("ledger.already_reversed", _("This transaction was already reversed."))
