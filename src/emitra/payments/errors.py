"""Refusals of the payments app: a code for programs, a translated message for people."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from emitra.core.errors import Conflict, DomainError, InvalidInput, PermissionDenied
from emitra.core.money import format_inr


class AmountTooSmall(InvalidInput):
    def __init__(self, minimum: int) -> None:
        super().__init__(
            "payments.amount_too_small",
            _("The smallest top-up is %(amount)s.") % {"amount": format_inr(minimum)},
        )


class AmountTooLarge(InvalidInput):
    def __init__(self, maximum: int) -> None:
        super().__init__(
            "payments.amount_too_large",
            _("The largest top-up is %(amount)s.") % {"amount": format_inr(maximum)},
        )


class InvalidRequestKey(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "payments.invalid_key",
            _("This form has expired. Please enter the amount again."),
        )


class TopUpKeyReused(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "payments.key_reused",
            _("This top-up request was already made with a different amount."),
        )


class NotAnOperator(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(
            "payments.not_an_operator", _("Only kiosk operators have a wallet to top up.")
        )


class GatewayUnavailable(DomainError):
    """The gateway refused or did not answer; nothing was decided, the top-up stays open."""

    status = 503

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "payments.gateway_unavailable",
            _("The payment gateway did not answer. Please try again in a minute."),
        )
        self.detail = detail
