"""Who may call an API operation, declared on the operation itself:

    @router.get("/things", auth=allow(Role.OPERATOR, reason="..."), response=...)
    @router.get("/things", auth=signed_in("..."), ...)
    @router.get("/things", auth=public("..."), ...)

`allow`/`signed_in` accept a bearer token (the app) or the web session (the pages' JSON calls,
CSRF-checked on writes); a caller in another role gets 403 in the envelope, none at all 401.
Each auth object carries `access` like the pages' views, so the URL walk sees every operation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from emitra.accounts.middleware import otp_verified
from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.core.errors import PermissionDenied


def _declaration(roles: frozenset[str] | None, reason: str) -> dict[str, Any]:
    return {
        "public": False,
        "roles": sorted(roles) if roles is not None else "any",
        "reason": reason,
    }


def _checked(user: User, roles: frozenset[str] | None) -> User:
    if roles is not None and user.role not in roles:
        raise PermissionDenied("api.forbidden", _("Your role may not use this."))
    return user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer emt_…` from POST /api/v1/auth/token."""

    def __init__(self, roles: frozenset[str] | None, reason: str) -> None:
        super().__init__()
        self.roles = roles
        self.access = _declaration(roles, reason)

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        from emitra.apitokens.services import user_for_token

        user = user_for_token(token)
        request.user = user
        request.api_token = token  # type: ignore[attr-defined]
        if user.preferred_language in dict(settings.LANGUAGES):
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        return _checked(user, self.roles)


class SessionAuth(NinjaSessionAuth):
    """The web session (CSRF checked on unsafe methods, only when a session cookie is sent,
    so a caller with no credentials at all gets 401 rather than a CSRF 403)."""

    def __init__(self, roles: frozenset[str] | None, reason: str) -> None:
        super().__init__(csrf=True)
        self.roles = roles
        self.access = _declaration(roles, reason)

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return None
        if user.needs_totp and not otp_verified(user):
            return None
        return _checked(user, self.roles)


class PublicAccess:
    """Anyone, with the reason it must be so (the catalog, districts, the schema, logging in)."""

    def __init__(self, reason: str) -> None:
        self.access = {"public": True, "reason": reason}

    def __call__(self, request: HttpRequest) -> bool:
        return True


def allow(*roles: Role, reason: str) -> list[Any]:
    """Only callers holding one of `roles` (by token or session)."""
    wanted = frozenset(str(r) for r in roles)
    return [TokenAuth(wanted, reason), SessionAuth(wanted, reason)]


def signed_in(reason: str) -> list[Any]:
    """Any signed-in caller; the operation scopes what it shows to that user."""
    return [TokenAuth(None, reason), SessionAuth(None, reason)]


def public(reason: str) -> list[Any]:
    return [PublicAccess(reason)]


def access_of(operation: Any) -> dict[str, Any] | None:
    """The declaration of a ninja Operation (None when it has none)."""
    for callback in getattr(operation, "auth_callbacks", ()):
        declared = getattr(callback, "access", None)
        if isinstance(declared, dict):
            return declared
    return None
