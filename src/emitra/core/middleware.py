"""Request ids for logs and audit rows; request metrics; one JSON access-log line."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

import structlog
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext

from emitra.core.context import client_ip_var, request_id_var
from emitra.core.metrics import LATENCY, REQUESTS

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
log = structlog.get_logger("emitra.request")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        id_token = request_id_var.set(request_id)
        ip_token = client_ip_var.set(request.META.get("REMOTE_ADDR"))
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            user = getattr(request, "user", None)
            log.info(
                "request",
                method=request.method,
                path=request.path,
                status=response.status_code,
                ms=round((time.perf_counter() - started) * 1000, 1),
                user_id=user.pk if user is not None and user.is_authenticated else None,
            )
            return response
        finally:
            structlog.contextvars.unbind_contextvars("request_id")
            request_id_var.reset(id_token)
            client_ip_var.reset(ip_token)


class MetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        view = match.view_name if match else "unresolved"
        REQUESTS.labels(request.method or "", view, str(response.status_code)).inc()
        LATENCY.labels(view).observe(time.perf_counter() - started)
        return response


class NulCharacter(SuspiciousOperation):
    """A NUL character in a parameter: no text field can keep one (PostgreSQL refuses them)."""


class RefuseNulCharactersMiddleware:
    """Refuse with 400 a request whose query string or JSON body carries a NUL character,
    before any view passes it to the database (where PostgreSQL would fail the statement and
    the caller would get a 500). Forms refuse NUL themselves (Django's CharField validator).
    API callers get the API's error envelope; pages get the 400 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            if request.path.startswith("/api/"):
                message = gettext("The request could not be read.")
                return JsonResponse(
                    {"error": {"code": "api.bad_request", "message": message}}, status=400
                )
            raise NulCharacter("NUL character in the request")
        return self.get_response(request)


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    ):
        return True
    if request.content_type == "application/json" and request.method in ("POST", "PUT", "PATCH"):
        return b"\\u0000" in request.body or b"\x00" in request.body
    return False
