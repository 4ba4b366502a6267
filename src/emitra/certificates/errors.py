"""Refusals of the certificate services, each with a translated message."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from emitra.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class UnknownKind(InvalidInput):
    def __init__(self, kind: str) -> None:
        super().__init__(
            "certificates.unknown_kind",
            _("“%(kind)s” is not a kind of certificate we issue.") % {"kind": kind},
        )


class InvalidCertificateData(InvalidInput):
    def __init__(self, message: str) -> None:
        super().__init__("certificates.invalid_data", message)


class NotAnIssuer(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(
            "certificates.not_an_issuer",
            _("Only department officers and administrators may issue certificates."),
        )


class NotAllowedToRevoke(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(
            "certificates.not_allowed_to_revoke",
            _("Only the issuing department's administrator or a state admin may revoke it."),
        )


class ReasonRequired(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "certificates.reason_required",
            _("Give the reason for revoking the certificate (at least 10 characters)."),
        )


class AlreadyRevoked(Conflict):
    def __init__(self, number: str) -> None:
        super().__init__(
            "certificates.already_revoked",
            _("Certificate %(number)s is already revoked.") % {"number": number},
        )


class CertificateNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("certificates.not_found", _("No such certificate."))
