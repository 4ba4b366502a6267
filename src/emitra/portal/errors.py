"""Refusals of the citizen portal: a code for programs, a translated message for people."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from emitra.core.errors import Conflict, InvalidInput, PermissionDenied


class NotACitizen(PermissionDenied):
    def __init__(self) -> None:
        super().__init__("portal.not_citizen", _("Only citizens pay bills on the portal."))


class InvalidRequestKey(InvalidInput):
    def __init__(self) -> None:
        super().__init__("portal.invalid_key", _("This form has expired. Please start again."))


class OrderKeyReused(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "portal.key_reused", _("This payment was already started with other details.")
        )


class BillNotFetched(InvalidInput):
    def __init__(self) -> None:
        super().__init__("portal.fetch_first", _("Please look up the bill again, then pay."))
