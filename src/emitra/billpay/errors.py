"""What a bill payment can refuse, each with a code for programs and a translated message."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from emitra.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied


class UnknownBiller(NotFound):
    def __init__(self) -> None:
        super().__init__("billpay.unknown_biller", _("This biller is not available."))


class InvalidConsumerNumber(InvalidInput):
    def __init__(self, label: str, example: str) -> None:
        super().__init__(
            "billpay.consumer_number",
            _("Enter a valid %(label)s, for example %(example)s.")
            % {"label": label, "example": example},
        )


class ConsumerNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__(
            "billpay.consumer_not_found",
            _("The biller has no consumer with this number. Check the number on the bill."),
        )


class BillerUnavailable(DomainError):
    """The biller did not answer, or answered with an error (timeouts, 5xx)."""

    status = 503

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "billpay.biller_unavailable",
            _("The biller is not answering right now. Please try again in a few minutes."),
        )
        self.detail = detail


class BillerGarbage(BillerUnavailable):
    """The biller answered something we cannot read; treated like no answer at all."""

    def __init__(self, detail: str = "") -> None:
        DomainError.__init__(
            self,
            "billpay.biller_garbage",
            _("The biller sent an answer that could not be read. Please try again later."),
        )
        self.detail = detail


class FetchFirst(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "billpay.fetch_first", _("Fetch the bill again before paying it (it is too old).")
        )


class AmountBelowMinimum(InvalidInput):
    def __init__(self, minimum: str) -> None:
        super().__init__(
            "billpay.below_minimum",
            _("The amount must be at least %(minimum)s.") % {"minimum": minimum},
        )


class AmountAboveBill(InvalidInput):
    def __init__(self, bill: str) -> None:
        super().__init__(
            "billpay.above_bill",
            _("The amount cannot be more than the bill (%(bill)s).") % {"bill": bill},
        )


class PartPaymentNotAllowed(InvalidInput):
    def __init__(self, bill: str) -> None:
        super().__init__(
            "billpay.part_payment",
            _("This biller accepts only the full bill amount (%(bill)s).") % {"bill": bill},
        )


class PaymentInProgress(Conflict):
    def __init__(self, number: str) -> None:
        super().__init__(
            "billpay.in_progress",
            _(
                "A payment of this bill is still in progress (receipt %(number)s). Wait for its "
                "result before paying again."
            )
            % {"number": number},
        )


class RecentlyPaid(Conflict):
    def __init__(self, number: str, when: str) -> None:
        super().__init__(
            "billpay.recently_paid",
            _(
                "This bill was already paid at %(when)s (receipt %(number)s). Tick “pay again” "
                "only if the citizen really wants to pay it a second time."
            )
            % {"number": number, "when": when},
        )


class PaymentKeyReused(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "billpay.key_reused",
            _("This request key was already used for a different payment. Start again."),
        )


class InvalidMobile(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "billpay.mobile", _("Enter a 10-digit mobile number starting with 6, 7, 8 or 9.")
        )


class PaymentNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("billpay.not_found", _("No such receipt."))


class NotAllowedToResolve(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(
            "billpay.resolve_role",
            _("Only the state admin or the kiosk's district admin can resolve a bill payment."),
        )


class OutOfDistrict(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(
            "billpay.resolve_scope",
            _("This bill payment was made at a kiosk outside your district."),
        )


class NotAwaitingStaff(Conflict):
    def __init__(self, number: str) -> None:
        super().__init__(
            "billpay.not_awaiting_staff",
            _("Receipt %(number)s is not waiting for staff (it was resolved meanwhile).")
            % {"number": number},
        )


class ResolutionReasonRequired(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "billpay.resolution_reason",
            _("Give the reason for this decision: what the biller said and how you checked."),
        )
