"""Errors raised by services: a stable code for programs, a translated message for people."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """Base of every error a service raises on purpose; views map `status` to HTTP."""

    status = 400

    def __init__(self, code: str, message: str | Promise) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message


class InvalidInput(DomainError):
    status = 400


class PermissionDenied(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409
