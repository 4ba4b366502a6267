"""Refusals of the kiosks app: a code for programs, a translated message for people."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from emitra.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class WrongRole(PermissionDenied):
    def __init__(self) -> None:
        super().__init__("kiosks.wrong_role", _("Your role may not take this action."))


class OutOfScope(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(
            "kiosks.out_of_scope",
            _("This kiosk is outside your district or organisation; you may not act on it."),
        )


class NotAnLSP(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(
            "kiosks.not_an_lsp",
            _("Your organisation is not registered as an LSP yet. Ask the district society."),
        )


class NotAnLSPLogin(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "kiosks.not_an_lsp_login",
            _(
                "No login with the role “Local service provider” has this SSO ID or mobile "
                "number. Create the organisation's login first."
            ),
        )


class LSPAlreadyRegistered(Conflict):
    def __init__(self, name: str) -> None:
        super().__init__(
            "kiosks.lsp_already_registered",
            _("This login is already registered as the LSP “%(name)s”. Nothing was changed.")
            % {"name": name},
        )


class LSPNameTaken(Conflict):
    def __init__(self, name: str) -> None:
        super().__init__(
            "kiosks.lsp_name_taken",
            _(
                "An LSP named “%(name)s” is already registered in this district. "
                "Nothing was changed."
            )
            % {"name": name},
        )


class NameRequired(InvalidInput):
    def __init__(self) -> None:
        super().__init__("kiosks.name_required", _("Enter the organisation's name."))


class DuplicateKioskCode(Conflict):
    def __init__(self, code: str) -> None:
        super().__init__(
            "kiosks.duplicate_code",
            _("Kiosk code %(code)s is already in use. Choose another code.") % {"code": code},
        )


class InvalidKioskCode(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "kiosks.invalid_code",
            _("A kiosk code is 4 to 20 capital letters, digits or hyphens, e.g. JPR-K-0001."),
        )


class OperatorHasKiosk(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "kiosks.operator_has_kiosk",
            _("This operator already runs a kiosk: one operator, one kiosk."),
        )


class NotAnOperator(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "kiosks.not_an_operator", _("No kiosk operator has this SSO ID or mobile number.")
        )


class PlaceOutsideDistrict(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "kiosks.place_outside_district",
            _("The gram panchayat or urban body does not lie in the kiosk's district."),
        )


class PlaceRequired(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "kiosks.place_required",
            _("Choose either a gram panchayat or an urban body (one, not both)."),
        )


class DistrictOutsideLSP(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(
            "kiosks.district_outside_lsp",
            _("An LSP onboards kiosks only in its own district."),
        )


class KioskNotActive(Conflict):
    """An act refused because the kiosk is suspended or terminated (or not yet active)."""

    def __init__(self, status_label: str) -> None:
        super().__init__(
            "kiosks.not_active",
            _("This kiosk is %(status)s: the action is refused. Nothing was changed.")
            % {"status": status_label},
        )


class WrongStep(Conflict):
    def __init__(self, status_label: str) -> None:
        super().__init__(
            "kiosks.wrong_step",
            _("This step is not possible while the kiosk is “%(status)s”. Nothing was changed.")
            % {"status": status_label},
        )


class InvalidHours(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "kiosks.invalid_hours", _("The closing time must be after the opening time.")
        )


class InvalidChoice(InvalidInput):
    def __init__(self) -> None:
        super().__init__("kiosks.invalid_choice", _("Choose one of the options offered."))


class ReasonRequired(InvalidInput):
    def __init__(self) -> None:
        super().__init__("kiosks.reason_required", _("Give a reason for this action."))


class NoKiosk(NotFound):
    def __init__(self) -> None:
        super().__init__("kiosks.no_kiosk", _("You have no kiosk yet."))


class UnknownReceipt(NotFound):
    def __init__(self) -> None:
        super().__init__(
            "kiosks.unknown_receipt",
            _("No receipt has this number. Check the number printed on your receipt or SMS."),
        )


class AlreadyRated(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "kiosks.already_rated", _("This receipt has already been rated. Thank you!")
        )


class TooManyComplaints(Conflict):
    status = 429

    def __init__(self) -> None:
        super().__init__(
            "kiosks.too_many_complaints",
            _(
                "Too many complaints were made about this receipt recently. "
                "Please wait for the district's answer."
            ),
        )


class InvalidRating(InvalidInput):
    def __init__(self) -> None:
        super().__init__("kiosks.invalid_rating", _("Choose a rating from 1 to 5 stars."))


class ComplaintClosed(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "kiosks.complaint_closed",
            _("This complaint was changed meanwhile or is already closed. Nothing was changed."),
        )


class NoteRequired(InvalidInput):
    def __init__(self) -> None:
        super().__init__("kiosks.note_required", _("Write a note explaining the decision."))
