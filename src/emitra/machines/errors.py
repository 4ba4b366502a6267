"""What a machine tells the citizen when something cannot be done."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from emitra.core.errors import Conflict, InvalidInput, NotFound


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
