"""Authenticate by mobile number or SSO ID with one password field."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from emitra.accounts.models import User
from emitra.accounts.validators import MOBILE_RE, normalise_mobile


def find_login_user(identifier: str) -> User | None:
    mobile = normalise_mobile(identifier)
    if MOBILE_RE.match(mobile):
        return User.objects.filter(mobile=mobile).first()
    return User.objects.filter(username=identifier.strip().lower()).first()


def canonical_login_name(identifier: str) -> str:
    """The one name an account is known by, however it was typed: its SSO ID if the mobile
    number or SSO ID finds it, else the normalised input. Failed-login counting (django-axes)
    must key on this, or "Ram.Lal", "RAM.LAL" and the mobile would each get 5 guesses."""
    user = find_login_user(identifier)
    if user is not None:
        return user.username
    mobile = normalise_mobile(identifier)
    return mobile if MOBILE_RE.match(mobile) else identifier.strip().lower()


def lockout_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """For ``AXES_USERNAME_CALLABLE``, so that every login form (also /admin/login/) counts
    failures per account."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = request.POST.get("username", "")
    return canonical_login_name(str(raw or ""))


class MobileOrSsoIdBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        user = find_login_user(username)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
