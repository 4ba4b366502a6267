"""API v1 (django-ninja): one NinjaAPI, each app's router mounted under it, one error
envelope for every refusal: {"error": {"code": ..., "message": ...}} with a translated message.

Interactive docs are off (they load from a CDN our CSP forbids); the schema is at
/api/v1/openapi.json. Every URL pattern carries an access declaration like the pages do: the
routers' own `auth` enforces it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from emitra.billpay.api import router as bills_router
from emitra.core.errors import DomainError

api = NinjaAPI(title="e-Mitra API", version="1", urls_namespace="api", docs_url=None)
api.add_router("/bills/", bills_router)


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message}}, status=status
    )


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status, exc.code, str(exc.message))


@api.exception_handler(AuthenticationError)
def not_signed_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "api.unauthenticated", _("Log in first."))


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = ", ".join(".".join(str(p) for p in e.get("loc", ())[1:]) for e in exc.errors)
    return _error(
        request,
        422,
        "api.invalid",
        _("The request is not valid: %(fields)s.") % {"fields": fields or "body"},
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 403:
        return _error(request, 403, "api.forbidden", _("The request was refused (CSRF)."))
    return _error(request, exc.status_code, "api.error", str(exc))


API_ACCESS = {
    "public": False,
    "roles": "per router (the router's auth and each endpoint's role check)",
    "reason": "API v1: session-authenticated JSON for the kiosk console; roles checked per "
    "endpoint",
}


def _declare(patterns: list[Any]) -> list[Any]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            _declare(entry.url_patterns)
        elif isinstance(entry, URLPattern) and not hasattr(entry.callback, "access"):
            if str(entry.pattern).endswith("openapi.json"):
                entry.callback.access = {  # type: ignore[attr-defined]
                    "public": True,
                    "reason": "the API's schema describes it to client developers",
                }
            else:
                entry.callback.access = dict(API_ACCESS)  # type: ignore[attr-defined]
    return patterns


def urls() -> tuple[list[Any], str, str]:
    """`api.urls` with every pattern declaring who may call it."""
    patterns, app_name, namespace = api.urls
    return _declare(list(patterns)), app_name, namespace
