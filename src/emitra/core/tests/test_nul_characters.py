"""A NUL character cannot be stored in any text column (PostgreSQL refuses it), so a request
carrying one is refused with 400 before a view can pass it on — never a 500."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_page_refuses_a_nul_in_the_query_string(client):
    response = client.get("/services/", {"q": "bijli\x00"})
    assert response.status_code == 400


def test_the_api_refuses_a_nul_in_the_query_string_with_its_envelope(client):
    response = client.get("/api/v1/catalog/services", {"q": "\x00"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "api.bad_request"


def test_the_api_refuses_a_nul_in_a_json_body(client):
    response = client.post(
        "/api/v1/bills/fetch", '{"biller": "jvvnl\\u0000"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "api.bad_request"


def test_ordinary_requests_pass(client):
    assert client.get("/services/", {"q": "bijli"}).status_code == 200
