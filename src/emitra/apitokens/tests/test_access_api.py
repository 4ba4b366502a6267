"""Every API operation declares who may call it, and the declaration holds: no credentials →
401, a role not declared → 403, a declared role gets past the door (by token and by session)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from emitra.accounts.roles import Role
from emitra.apitokens.tests.conftest import ApiClient, new_key

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Op:
    method: str
    path: str
    access: dict[str, Any]


def api_operations() -> list[Op]:
    ops = []
    for resolver in get_resolver().url_patterns:
        if not isinstance(resolver, URLResolver) or resolver.namespace != "api":
            continue
        for pattern in resolver.url_patterns:
            route = "/api/v1/" + str(pattern.pattern).replace("<number>", "X-0")
            access = getattr(pattern.callback, "access", {})
            for method, declared in access.get("methods", {}).items():
                ops.append(Op(method, route, declared))
    # Revoking logs the walking caller out: it goes last.
    return sorted(ops, key=lambda op: op.path.endswith("/auth/revoke"))


def call(client: ApiClient, op: Op) -> Any:
    if op.method == "GET":
        return client.get(op.path)
    return client.send(op.method, op.path, {}, key=new_key())


def test_the_walk_sees_every_api_operation_with_a_reason():
    ops = api_operations()

    assert len(ops) >= 12
    assert [op for op in ops if not op.access or not op.access.get("reason")] == []
    public = {f"{op.method} {op.path}" for op in ops if op.access["public"]}
    assert public == {
        "POST /api/v1/auth/otp",
        "POST /api/v1/auth/token",
        "GET /api/v1/catalog/services",
        "GET /api/v1/geo/districts",
    }


def test_the_page_walk_accepts_the_api_patterns():
    from emitra.accounts.tests.test_access import all_routes

    api_routes = [r for r in all_routes() if r.name.startswith("api:")]
    assert api_routes
    assert all(isinstance(r.view.access, dict) and r.view.access["reason"] for r in api_routes)


def test_callers_without_credentials_get_401_on_every_non_public_operation(anonymous):
    for op in api_operations():
        if op.access["public"]:
            continue
        response = call(anonymous, op)
        assert response.status_code == 401, op
        assert response.json()["error"]["code"] == "api.unauthenticated", op


@pytest.mark.parametrize("role", Role.values)
def test_each_role_passes_exactly_the_operations_declared_for_it(api_as, role):
    client = api_as(role)
    for op in api_operations():
        if op.access["public"]:
            continue
        response = call(client, op)
        roles = op.access["roles"]
        if roles == "any" or role in roles:
            assert response.status_code not in (401, 403), (op, response.json())
        else:
            assert response.status_code == 403, op
            assert response.json()["error"]["code"] == "api.forbidden", op


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.LSP, Role.STATE_ADMIN, Role.AUDITOR])
def test_other_roles_are_refused_the_bill_api_by_token(api_as, role):
    response = api_as(role).get("/api/v1/bills/payments")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "api.forbidden"


def test_a_staff_session_without_totp_is_not_signed_in_for_the_api(make_user):
    client = Client(HTTP_HOST="localhost")
    client.force_login(make_user(Role.STATE_ADMIN))

    response = client.get("/api/v1/auth/me")

    assert response.status_code == 401  # in the API's envelope, not a redirect to a web page
    assert response.json()["error"]["code"]


def test_a_session_write_needs_the_csrf_token(make_user):
    client = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
    client.force_login(make_user(Role.CITIZEN))

    response = client.put(
        "/api/v1/auth/me/language",
        {"language": "en"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-csrf",
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "api.forbidden"


def test_a_token_write_needs_no_csrf_token(api_as):
    client = api_as(Role.CITIZEN)
    client.client = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)

    response = client.send("PUT", "/api/v1/auth/me/language", {"language": "en"})

    assert response.status_code == 200
