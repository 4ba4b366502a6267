"""Role declarations for views: `@allow(Role.STATE_ADMIN, ...)` or `@signed_in(...)`.

A user who is not logged in is sent to the login page; one in another role gets 403. Staff
roles must also have passed TOTP (enforced for every page by StaffVerificationMiddleware).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from emitra.accounts.roles import Role

V = TypeVar("V", bound=Callable[..., HttpResponse])


def _declare(roles: frozenset[str] | None, reason: str) -> Callable[[V], V]:
    def decorate(view: V) -> V:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if roles is not None and getattr(user, "role", None) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access = {  # type: ignore[attr-defined]
            "public": False,
            "roles": sorted(roles) if roles is not None else "any",
            "reason": reason,
        }
        return wrapper  # type: ignore[return-value]

    return decorate


def allow(*roles: Role, reason: str = "") -> Callable[[V], V]:
    """Only users holding one of `roles`."""
    return _declare(frozenset(str(r) for r in roles), reason)


def signed_in(reason: str) -> Callable[[V], V]:
    """Any logged-in user; the view scopes what it shows to the user itself."""
    return _declare(None, reason)
