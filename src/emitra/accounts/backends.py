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
