"""API tests: callers with bearer tokens, JSON helpers, messages read in English."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from emitra.apitokens import services

_keys = itertools.count(1)


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read messages in English (the msgids)."""
    with translation.override("en"):
        yield


def new_key() -> str:
    return f"test-key-{next(_keys):06d}"


class ApiClient:
    """A Django test client that sends a bearer token (or none) and JSON bodies."""

    def __init__(self, token: str = "") -> None:
        self.client = Client(HTTP_HOST="localhost")
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.token = token

    def _headers(self, key: str | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if key:
            headers["Idempotency-Key"] = key
        return headers

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {}, headers=self._headers(None))

    def send(self, method: str, path: str, body: Any = None, key: str | None = "") -> Any:
        """`key=""` sends a fresh Idempotency-Key, `key=None` sends none."""
        call = getattr(self.client, method.lower())
        return call(
            path,
            body if body is not None else {},
            content_type="application/json",
            headers=self._headers(new_key() if key == "" else key),
        )


@pytest.fixture
def api_as(make_user: Callable[..., Any]) -> Callable[..., ApiClient]:
    """`api_as(role)` or `api_as(user=...)` → an ApiClient holding a fresh token."""

    def make(role: str = "operator", *, user: Any = None, **fields: Any) -> ApiClient:
        user = user or make_user(role, **fields)
        client = ApiClient(services.issue_token(user=user, how="test").token)
        client.user = user  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient()
