"""API v1 (django-ninja): one NinjaAPI, each app's router mounted under it, one error
envelope for every refusal: {"error": {"code": ..., "message": ...}} with a translated message
(404, 405, 422 and 500 included).

Interactive docs are off (they load from a CDN our CSP forbids); the schema is at
/api/v1/openapi.json. Every operation declares who may call it with emitra.apitokens.access
(`allow`, `signed_in`, `public`); every write takes an Idempotency-Key
(emitra.apitokens.idempotency); every list is a Page (emitra.apitokens.pagination). The URL
patterns carry the operations' declarations, so the access walk sees them like pages."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.operation import PathView

from emitra.apitokens.access import access_of
from emitra.apitokens.api import auth_router, lists_router
from emitra.apitokens.idempotency import idempotency_of
from emitra.billpay.api import router as bills_router
from emitra.core.access import public
from emitra.core.errors import DomainError

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="e-Mitra API",
    version="1",
    urls_namespace="api",
    docs_url=None,
    description="Token auth: POST /auth/token, then `Authorization: Bearer <token>`. Every "
    "write needs an `Idempotency-Key` header. Lists are pages (`page`, `page_size` ≤ 100). "
    'Every refusal is {"error": {"code", "message"}} in the caller\'s language. See docs/api.md.',
)
api.add_router("/auth/", auth_router)
api.add_router("/", lists_router)
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
    if exc.status_code == 400:
        return _error(request, 400, "api.bad_request", _("The request could not be read."))
    return _error(request, exc.status_code, "api.error", str(exc))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "api.not_found", _("Not found."))


@api.exception_handler(DjangoPermissionDenied)
def refused(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
    return _error(request, 403, "api.forbidden", _("Your role may not use this."))


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Logged with its traceback; the caller gets the envelope, never a stack trace."""
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return _error(
        request,
        500,
        "api.server_error",
        _("Something went wrong on our side. Try again later."),
    )


# --- URL patterns: access declarations, and 404/405 in the envelope --------------------------


def _path_view(callback: Callable[..., Any]) -> PathView | None:
    """The ninja PathView behind a URL pattern's view (ninja keeps it in the closure)."""
    for cell in getattr(callback, "__closure__", None) or ():
        if isinstance(cell.cell_contents, PathView):
            return cell.cell_contents
    return None


def _declaration(view: PathView) -> dict[str, Any]:
    """What the walk reads: per method the operation's own declaration; `roles` stays a
    string (the page walk GETs list-valued ones expecting a login redirect, not 401)."""
    methods: dict[str, Any] = {}
    for operation in view.operations:
        declared = access_of(operation)
        for method in operation.methods:
            methods[method] = declared and {
                **declared,
                "idempotency": idempotency_of(operation),
            }
    declared_all = [d for d in methods.values() if d]
    return {
        "public": bool(declared_all) and all(d.get("public") for d in declared_all),
        "roles": "per operation (see methods)",
        "reason": "; ".join(sorted({str(d.get("reason", "")) for d in declared_all}))
        if len(declared_all) == len(methods)
        else "",
        "methods": methods,
    }


def _enveloped(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            enveloped = _error(
                request, 405, "api.method_not_allowed", _("This method is not allowed here.")
            )
            enveloped["Allow"] = response.get("Allow", "")
            return enveloped
        return response

    return wrapper


@public("unknown API paths answer 404 in the envelope")
def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    return _error(request, 404, "api.not_found", _("There is no such API path."))


unknown_path.csrf_exempt = True  # type: ignore[attr-defined]


def _declare(patterns: list[Any]) -> list[Any]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            _declare(entry.url_patterns)
        elif isinstance(entry, URLPattern) and not hasattr(entry.callback, "access"):
            view = _path_view(entry.callback)
            if str(entry.pattern).endswith("openapi.json"):
                access: dict[str, Any] = {
                    "public": True,
                    "reason": "the API's schema describes it to client developers",
                }
            elif view is not None:
                access = _declaration(view)
            elif entry.name == "api-root":
                entry.callback = unknown_path  # ninja's docs home; our docs are off
                continue
            else:
                continue  # undeclared: the access walk reports it
            callback = _enveloped(entry.callback)
            callback.access = access  # type: ignore[attr-defined]
            callback.csrf_exempt = True  # type: ignore[attr-defined]
            entry.callback = callback
    return patterns


def urls() -> tuple[list[Any], str, str]:
    """`api.urls` with every pattern declaring who may call it, and a 404 in the envelope
    for paths that match no operation."""
    patterns, app_name, namespace = api.urls
    declared = _declare(list(patterns))
    declared.append(path("<path:rest>", unknown_path, name="unknown"))
    return declared, app_name, namespace
