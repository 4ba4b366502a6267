import pytest


@pytest.mark.django_db
def test_readyz_reports_the_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_answers_without_a_database(client):
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.django_db
def test_metrics_answer_loopback_only_without_a_token(client, settings):
    settings.METRICS_TOKEN = None
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 403


@pytest.mark.django_db
def test_metrics_need_the_token_when_one_is_set(client, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 403
    ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert ok.status_code == 200
    assert b"emitra_http_requests_total" in ok.content


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc12345-req"})
    assert response["X-Request-ID"] == "abc12345-req"
    assert len(client.get("/healthz", headers={"X-Request-ID": "bad id!"})["X-Request-ID"]) == 32
