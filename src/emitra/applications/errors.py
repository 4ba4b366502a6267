"""Refusals of the applications app: a stable code, a translated message, nothing changed."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from emitra.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class FormInvalid(InvalidInput):
    """The form or its documents did not pass; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, str | Promise], bound: Any = None) -> None:
        super().__init__("applications.form_invalid", _("Please correct the marked fields."))
        self.errors = errors
        self.bound = bound


class NotApplicable(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "applications.not_applicable",
            _("This service cannot be applied for here: it has no application form or workflow."),
        )


class NoWallet(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "applications.no_wallet",
            _("Your kiosk has no wallet yet. Open the wallet page and top it up first."),
        )


class ActionNotAllowed(InvalidInput):
    def __init__(self, *, action: str, state: str) -> None:
        super().__init__(
            "applications.action_not_allowed",
            _("“%(action)s” cannot be done while the application is “%(state)s”.")
            % {"action": action, "state": state},
        )


class NotYourApplication(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(
            "applications.not_in_scope",
            _("You may not act on this application (role, department or district)."),
        )


class NoteRequired(InvalidInput):
    def __init__(self) -> None:
        super().__init__("applications.note_required", _("Write the reason for this decision."))


class ConcurrentChange(Conflict):
    def __init__(self, number: str) -> None:
        super().__init__(
            "applications.concurrent_change",
            _(
                "Application %(number)s was changed by someone else a moment ago. Nothing was "
                "done: look at it again."
            )
            % {"number": number},
        )


class KeyReusedForOther(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "applications.key_reused",
            _("This form was already used for another application. Start a new application."),
        )


class BadAssignee(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "applications.bad_assignee",
            _("Choose an officer of this department who may work on this district."),
        )


class ApplicationNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("applications.not_found", _("No such application."))


class FormChanged(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "applications.form_changed",
            _("The service's form changed before the application was filed. Please apply again."),
        )


class DocumentsMissing(InvalidInput):
    """The state an action leads to requires documents the application does not hold."""

    def __init__(self, *, action: str, documents: list[str]) -> None:
        super().__init__(
            "applications.documents_missing",
            _("“%(action)s” needs these documents attached first: %(documents)s.")
            % {"action": action, "documents": ", ".join(documents)},
        )
        self.documents = documents
