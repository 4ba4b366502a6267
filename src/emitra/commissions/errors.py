"""Refusals of the commission posting: a code for programs, a translated message for people."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from emitra.core.errors import InvalidInput


class HoldDoesNotMatch(InvalidInput):
    def __init__(self, *, held: str, total: str) -> None:
        super().__init__(
            "commissions.hold_mismatch",
            _(
                "The amount reserved in the wallet (%(held)s) is not what the citizen pays "
                "(%(total)s). Start the payment again."
            )
            % {"held": held, "total": total},
        )


class WrongWallet(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "commissions.wrong_wallet",
            _("The amount was reserved in another wallet than this operator's."),
        )


class NothingToPay(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "commissions.nothing_to_pay",
            _("Nothing is paid from the wallet for this service, so there is nothing to post."),
        )
