"""Language choice (user → cookie → Hindi) and the TOTP gate for staff roles."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def otp_verified(user: object) -> bool:
    """True once this session passed a second factor (django-otp adds `is_verified`)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


def language_for(request: HttpRequest) -> str:
    """The user's saved choice, else the cookie, else Hindi (the browser header is ignored:
    many kiosk PCs run an English browser for Hindi-speaking operators)."""
    user = getattr(request, "user", None)
    saved = getattr(user, "preferred_language", "") if user is not None else ""
    if saved in LANGUAGE_CODES:
        return str(saved)
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return cookie if cookie in LANGUAGE_CODES else settings.LANGUAGE_CODE


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


# Paths a staff user may open before passing TOTP: the steps of logging in and out, and
# language choice. Not all of /accounts/ — the people directory lives there too. The API
# answers for itself: its session auth refuses a staff session without TOTP with a 401 in
# the API's envelope (a redirect to a web page means nothing to a program).
_TOTP_EXEMPT = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/totp/",
    "/accounts/language/",
    "/static/",
    "/healthz",
    "/readyz",
    "/i18n/",
    "/api/",
)


class StaffVerificationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "needs_totp", False)
            and not otp_verified(user)
            and not request.path.startswith(_TOTP_EXEMPT)
        ):
            return HttpResponseRedirect(
                f"{reverse('accounts:totp')}?next={request.get_full_path()}"
            )
        return self.get_response(request)
