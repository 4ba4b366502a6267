"""One error envelope for everything the API refuses: unknown paths, wrong methods, invalid
input, and our own crashes (never a traceback)."""

from __future__ import annotations

import pytest

from emitra.accounts.roles import Role

pytestmark = pytest.mark.django_db


def assert_envelope(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/nothing/here", "/api/v1/bills/nope"])
def test_unknown_paths_are_404_in_the_envelope(anonymous, path):
    assert_envelope(anonymous.get(path), 404, "api.not_found")


def test_a_wrong_method_is_405_in_the_envelope_with_allow(anonymous):
    response = anonymous.send("DELETE", "/api/v1/geo/districts")

    assert_envelope(response, 405, "api.method_not_allowed")
    assert response["Allow"] == "GET"


def test_invalid_json_is_refused_in_the_envelope(api_as):
    client = api_as(Role.CITIZEN)

    response = client.client.put(
        "/api/v1/auth/me/language",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {client.token}",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )

    assert response.status_code in (400, 422)
    assert response.json()["error"]["code"] in ("api.invalid", "api.bad_request")


def test_a_missing_field_is_422_naming_it(api_as):
    response = api_as(Role.CITIZEN).send("PUT", "/api/v1/auth/me/language", {})

    assert_envelope(response, 422, "api.invalid")
    assert "language" in response.json()["error"]["message"]


def test_another_operators_payment_is_404_in_the_envelope(api_as):
    response = api_as(Role.OPERATOR).get("/api/v1/bills/payments/BPR-2026-27-000000009")

    assert_envelope(response, 404, "billpay.not_found")


def test_a_crash_is_500_in_the_envelope_without_a_traceback(api_as, monkeypatch):
    def broken(user):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("emitra.applications.selectors.visible_to", broken)
    response = api_as(Role.CITIZEN).get("/api/v1/me/applications")

    assert_envelope(response, 500, "api.server_error")
    assert "secret internals" not in response.content.decode()


def test_the_schema_is_public_and_documents_the_envelope(anonymous):
    response = anonymous.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["components"]["schemas"]["ErrorOut"]["required"] == ["error"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            assert {"401", "422"} <= statuses or "security" not in operation, (path, method)
            assert "422" in statuses, (path, method)
            ok = [s for s in statuses if s.startswith("2")]
            assert ok, (path, method)
    bearer = schema["components"]["securitySchemes"]["TokenAuth"]
    assert bearer == {"type": "http", "scheme": "bearer"}
