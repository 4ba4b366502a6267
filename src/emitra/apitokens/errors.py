"""The API's own refusals (DomainError subclasses, so the one envelope renders them)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from emitra.core.errors import Conflict, DomainError, InvalidInput


class NotAuthenticated(DomainError):
    """401: no usable credentials (the message says which and what to do)."""

    status = 401


def token_unknown() -> NotAuthenticated:
    return NotAuthenticated("api.token_invalid", _("This API token is not valid. Log in again."))


def token_expired() -> NotAuthenticated:
    return NotAuthenticated("api.token_expired", _("This API token has expired. Log in again."))


def token_revoked() -> NotAuthenticated:
    return NotAuthenticated(
        "api.token_revoked", _("This API token was revoked (logged out). Log in again.")
    )


def wrong_credentials() -> NotAuthenticated:
    return NotAuthenticated(
        "api.login_failed", _("The SSO ID or mobile number, or the password, is not correct.")
    )


def locked_out() -> NotAuthenticated:
    return NotAuthenticated(
        "api.login_locked",
        _("Too many failed logins for this account. Try again in 15 minutes."),
    )


def key_missing(message: str | Promise = "") -> InvalidInput:
    return InvalidInput(
        "api.idempotency_key",
        message or _("The Idempotency-Key header is required for this request."),
    )


def key_malformed() -> InvalidInput:
    return InvalidInput(
        "api.idempotency_key",
        _("The Idempotency-Key header must be 1 to 255 printable ASCII characters."),
    )


def key_reused() -> Conflict:
    return Conflict(
        "api.idempotency_key_reused",
        _(
            "This Idempotency-Key was already used for a different request. "
            "Send a new key with a new request."
        ),
    )


def key_in_progress() -> Conflict:
    return Conflict(
        "api.idempotency_in_progress",
        _("A request with this Idempotency-Key is still being processed. Try again shortly."),
    )
