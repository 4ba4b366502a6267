"""Schemathesis drives every operation of the OpenAPI document (the one /api/v1/openapi.json
serves) through the Django WSGI app with a kiosk operator's token, valid and invalid input and
every other method on each path: whatever it sends, the API never answers with a server
error. Deterministic (derandomized) and bounded (25 examples per operation, ~30 s)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from emitra.accounts.roles import Role
from emitra.api import api
from emitra.apitokens import services

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()

EXAMPLES = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def operator(make_user: Any) -> Any:
    return make_user(Role.OPERATOR, preferred_language="en")


@pytest.fixture(autouse=True)
def _one_connection_for_the_test() -> Iterator[None]:
    """Called as a real WSGI app, Django closes the database connection after each request;
    the test client disconnects that, and so do we (the test's transaction must survive)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@EXAMPLES
def test_no_operation_answers_with_a_server_error(case: Any, operator: Any) -> None:
    # A fresh token per example: the fuzzer may well call /auth/revoke with the last one.
    token = services.issue_token(user=operator, how="test").token
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}", "Host": "localhost"},
        checks=[not_a_server_error],
    )
