"""What a machine tells the citizen when something cannot be done."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from emitra.core.errors import Conflict, DomainError, InvalidInput, NotFound


class NotAMachineKiosk(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "machines.not_plus", _("Only a kiosk of type e-Mitra Plus machine can be a machine.")
        )


class NoCashPayment(NotFound):
    def __init__(self) -> None:
        super().__init__("machines.no_payment", _("There is no payment in progress. Start again."))


class NotCollecting(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "machines.not_collecting", _("This payment no longer takes cash. Start again.")
        )


class NoteNotAccepted(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "machines.note_rejected",
            _("This note was not accepted. Please take it back and try another note."),
        )


class CashReturned(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "machines.cash_returned",
            _("The cash acceptor had a fault. Your notes were returned; nothing was charged."),
        )


class NotEnoughCash(InvalidInput):
    def __init__(self, due: str) -> None:
        super().__init__(
            "machines.not_enough",
            _("Please insert at least %(due)s before confirming.") % {"due": due},
        )


class BillAlreadyPaid(Conflict):
    def __init__(self, number: str) -> None:
        super().__init__(
            "machines.recent",
            _("This bill was paid recently (receipt %(number)s). Please check before paying again.")
            % {"number": number},
        )


class CashInEscrow(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "machines.cash_in_escrow",
            _("You have already inserted notes. Please pay in cash, or cancel to get them back."),
        )


class CardDeclined(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "machines.card_declined",
            _("Your card was declined and nothing was charged. Try again, or pay in cash."),
        )


class CardReaderFault(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "machines.card_fault",
            _("The card reader did not finish and nothing was charged. Try again, or pay in cash."),
        )


class ChargeInProgress(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "machines.charging", _("Your card is being charged. Please wait a moment.")
        )


class UnknownVoucher(NotFound):
    def __init__(self) -> None:
        super().__init__(
            "machines.voucher_unknown",
            _("No refund voucher has this code. Check the 12 digits printed on the voucher."),
        )


class TooManyVoucherCodes(DomainError):
    status = 429

    def __init__(self) -> None:
        super().__init__(
            "machines.voucher_too_many_codes",
            _(
                "Too many voucher codes that match no voucher were typed here. Wait a quarter "
                "of an hour, or take the voucher to an e-Mitra kiosk counter."
            ),
        )


class VoucherRedeemed(Conflict):
    def __init__(self, when: str) -> None:
        super().__init__(
            "machines.voucher_redeemed",
            _("This voucher was already used on %(when)s. It cannot be used again.")
            % {"when": when},
        )


class VoucherExpired(Conflict):
    def __init__(self, when: str) -> None:
        super().__init__(
            "machines.voucher_expired",
            _(
                "This voucher expired on %(when)s and cannot be paid out at a counter. "
                "The bearer may ask the district e-Mitra society."
            )
            % {"when": when},
        )


class NothingToCharge(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "machines.nothing_to_charge",
            _("Your refund voucher covers the whole bill: there is nothing to pay by card."),
        )


class VoucherAlreadyApplied(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "machines.voucher_applied", _("A refund voucher is already used for this bill.")
        )
