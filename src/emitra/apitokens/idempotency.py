"""Idempotency keys for every API write, applied once per operation:

    @router.post("/things", auth=..., response=...)
    @idempotent()
    def create(request, body): ...

The `Idempotency-Key` header is required (400 without it). Under (user, key) we keep the
request's hash and, once the operation answers, its status and body: a replay gets the same
answer without running again (header `Idempotent-Replayed: true`); the same key with another
request is 409. A write that fails (a refusal or a crash) keeps nothing, so it may be retried
with the same key. Writes that must not keep a response (logging in: it holds a secret) say so
with `@not_idempotent("reason")`, and a test checks every write says one or the other."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.functional import Promise
from ninja.operation import Operation
from ninja.utils import contribute_operation_callback

from emitra.accounts.models import User
from emitra.apitokens import errors
from emitra.apitokens.models import IdempotencyRecord
from emitra.apitokens.schemas import ErrorOut

HEADER = "Idempotency-Key"
MAX_KEY = 255
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

F = TypeVar("F", bound=Callable[..., Any])

HEADER_PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": True,
    "description": "A fresh random key per write (e.g. a UUID); resend it to retry safely.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY, "pattern": "^[!-~]+$"},
}


def idempotency_of(operation: Operation) -> str | None:
    """ "required", "exempt: <reason>", or None for an operation that says neither."""
    declared = getattr(operation.view_func, "idempotency", None)
    return str(declared) if declared else None


def key_of(request: HttpRequest) -> str:
    """The request's Idempotency-Key (for services that keep their own, e.g. bill payments)."""
    return str(getattr(request, "idempotency_key", "") or request.headers.get(HEADER, "")).strip()


def _request_hash(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    assert record.status_code is not None
    response = HttpResponse(
        record.body, status=record.status_code, content_type=record.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _claim(user: User, key: str, request: HttpRequest) -> IdempotencyRecord | HttpResponse:
    """Our row for a new key, or the stored answer to replay; 409 for a reused or busy key."""
    digest = _request_hash(request)
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                user=user,
                key=key,
                method=str(request.method),
                path=request.get_full_path()[:500],
                request_hash=digest,
            )
    except IntegrityError:
        pass
    with transaction.atomic():
        record = IdempotencyRecord.objects.select_for_update().get(user=user, key=key)
        if record.request_hash != digest:
            raise errors.key_reused()
        if record.status_code is not None:
            return _replay(record)
        stale = timezone.now() - timedelta(seconds=settings.API_IDEMPOTENCY_STALE_SECONDS)
        if record.created_at > stale:
            raise errors.key_in_progress()
        # The first attempt died without answering: this one takes over.
        record.created_at = timezone.now()
        record.save(update_fields=["created_at"])
        return record


def _render(operation: Operation, request: HttpRequest, result: Any) -> HttpResponseBase:
    """The response ninja would send for `result`, rendered here so that the stored body is
    the one sent. ninja binds a copy of each operation to the API; this one (the router's)
    learns the API on first use."""
    if operation.api is None:
        from emitra.api import api

        operation.api = api
    return operation._result_to_response(
        request, result, operation.api.create_temporal_response(request)
    )


def _wrap(operation: Operation, missing_message: str | Promise) -> None:
    view = operation.view_func

    @wraps(view)
    def keyed(request: HttpRequest, **values: Any) -> HttpResponseBase:
        key = request.headers.get(HEADER, "").strip()
        if not key:
            raise errors.key_missing(missing_message)
        if len(key) > MAX_KEY or not all("!" <= ch <= "~" for ch in key):
            raise errors.key_malformed()
        user = request.user
        assert isinstance(user, User), "idempotent operations need a signed-in caller"
        claimed = _claim(user, key, request)
        if isinstance(claimed, HttpResponse):
            return claimed
        request.idempotency_key = key  # type: ignore[attr-defined]
        try:
            result = view(request, **values)
            response = _render(operation, request, result)
        except BaseException:
            IdempotencyRecord.objects.filter(pk=claimed.pk, status_code__isnull=True).delete()
            raise
        claimed.status_code = response.status_code
        claimed.content_type = response.get("Content-Type", "application/json")
        claimed.body = response.content.decode() if isinstance(response, HttpResponse) else ""
        claimed.save(update_fields=["status_code", "content_type", "body"])
        return response

    keyed.idempotency = "required"  # type: ignore[attr-defined]
    operation.view_func = keyed
    for status in (400, 409):
        operation.response_models.setdefault(status, operation._create_response_model(ErrorOut))
    extra = dict(operation.openapi_extra or {})
    extra["parameters"] = [*extra.get("parameters", []), HEADER_PARAMETER]
    operation.openapi_extra = extra


def idempotent(missing_message: str | Promise = "") -> Callable[[F], F]:
    """Require an Idempotency-Key and replay the stored answer (see the module docstring).
    Put it under the router's decorator; `missing_message` overrides the 400's message."""

    def mark(func: F) -> F:
        contribute_operation_callback(func, lambda op: _wrap(op, missing_message))
        return func

    return mark


def not_idempotent(reason: str) -> Callable[[F], F]:
    """A write that keeps no answer on purpose, with the reason."""

    def mark(func: F) -> F:
        func.idempotency = f"exempt: {reason}"  # type: ignore[attr-defined]
        return func

    return mark
