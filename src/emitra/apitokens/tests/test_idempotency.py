"""Every write takes an Idempotency-Key: a replay gets the first answer back without running
again, the same key with another request is 409, no key is 400; a failed write keeps nothing,
so it may be retried with the same key. Every write route says it is keyed or why not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.apitokens.models import IdempotencyRecord
from emitra.apitokens.services import purge_idempotency_records
from emitra.apitokens.tests.conftest import new_key

pytestmark = pytest.mark.django_db

LANGUAGE = "/api/v1/auth/me/language"


def language_of(user: User) -> str:
    return User.objects.get(pk=user.pk).preferred_language


def test_a_replayed_write_gets_the_same_answer_and_does_not_run_again(api_as):
    client = api_as(Role.CITIZEN)
    key = new_key()

    first = client.send("PUT", LANGUAGE, {"language": "en"}, key=key)
    User.objects.filter(pk=client.user.pk).update(preferred_language="hi")  # changed meanwhile
    replay = client.send("PUT", LANGUAGE, {"language": "en"}, key=key)

    assert first.status_code == replay.status_code == 200
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert language_of(client.user) == "hi", "the replay did not run the write again"
    assert IdempotencyRecord.objects.count() == 1


def test_the_same_key_with_another_body_is_409_and_changes_nothing(api_as):
    client = api_as(Role.CITIZEN)
    key = new_key()
    client.send("PUT", LANGUAGE, {"language": "en"}, key=key)

    response = client.send("PUT", LANGUAGE, {"language": "hi"}, key=key)

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "api.idempotency_key_reused",
        "message": "This Idempotency-Key was already used for a different request. "
        "Send a new key with a new request.",
    }
    assert language_of(client.user) == "en"


def test_keys_belong_to_one_user(api_as):
    one, other = api_as(Role.CITIZEN), api_as(Role.CITIZEN)
    key = new_key()

    first = one.send("PUT", LANGUAGE, {"language": "en"}, key=key)
    second = other.send("PUT", LANGUAGE, {"language": "hi"}, key=key)

    assert first.status_code == second.status_code == 200
    assert second.json()["username"] == other.user.username
    assert language_of(other.user) == "hi"


def test_a_write_without_a_key_is_400_and_changes_nothing(api_as):
    client = api_as(Role.CITIZEN)

    response = client.send("PUT", LANGUAGE, {"language": "en"}, key=None)

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "api.idempotency_key",
        "message": "The Idempotency-Key header is required for this request.",
    }
    assert language_of(client.user) == ""
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize("key", ["x" * 256, "with space", "हिन्दी"])
def test_a_malformed_key_is_400(api_as, key):
    client = api_as(Role.CITIZEN)

    response = client.client.put(
        LANGUAGE,
        {"language": "en"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {client.token}",
        HTTP_IDEMPOTENCY_KEY=key,
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "api.idempotency_key"
    assert language_of(client.user) == ""


def test_a_refused_write_keeps_nothing_so_the_key_can_be_retried(api_as, monkeypatch):
    client = api_as(Role.CITIZEN)
    key = new_key()

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("emitra.accounts.services.set_preferred_language", broken)
    failed = client.send("PUT", LANGUAGE, {"language": "en"}, key=key)
    monkeypatch.undo()
    retried = client.send("PUT", LANGUAGE, {"language": "en"}, key=key)

    assert failed.status_code == 500
    assert failed.json()["error"]["code"] == "api.server_error"
    assert retried.status_code == 200
    assert "Idempotent-Replayed" not in retried
    assert language_of(client.user) == "en"


def test_a_key_still_in_flight_is_409_until_it_goes_stale(api_as):
    client = api_as(Role.CITIZEN)
    key = new_key()
    client.send("PUT", LANGUAGE, {"language": "en"}, key=key)
    IdempotencyRecord.objects.update(status_code=None, body="")  # as if still running

    busy = client.send("PUT", LANGUAGE, {"language": "en"}, key=key)
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    taken_over = client.send("PUT", LANGUAGE, {"language": "en"}, key=key)

    assert busy.status_code == 409
    assert busy.json()["error"]["code"] == "api.idempotency_in_progress"
    assert taken_over.status_code == 200


def _api_methods() -> dict[str, dict[str, object]]:
    found: dict[str, dict[str, object]] = {}
    for resolver in get_resolver().url_patterns:
        if isinstance(resolver, URLResolver) and resolver.namespace == "api":
            for pattern in resolver.url_patterns:
                methods = getattr(pattern.callback, "access", {}).get("methods", {})
                for method, declared in methods.items():
                    found[f"{method} {pattern.pattern}"] = declared
    return found


def test_every_api_write_is_keyed_or_says_why_not():
    methods = _api_methods()
    writes = {
        k: v for k, v in methods.items() if k.split()[0] in {"POST", "PUT", "PATCH", "DELETE"}
    }

    assert "POST bills/payments" in writes
    assert writes["POST bills/payments"]["idempotency"] == "required"
    assert writes["PUT auth/me/language"]["idempotency"] == "required"
    unexplained = [
        route
        for route, declared in writes.items()
        if declared["idempotency"] != "required"
        and not str(declared["idempotency"]).startswith("exempt: ")
    ]
    assert unexplained == []


def test_the_schema_requires_the_header_on_keyed_writes(anonymous):
    schema = anonymous.get("/api/v1/openapi.json").json()

    for route, declared in _api_methods().items():
        method, path = route.split(" ", 1)
        operation = schema["paths"][f"/api/v1/{path}".replace("<number>", "{number}")]
        params = operation[method.lower()].get("parameters", [])
        keyed = [p for p in params if p["name"] == "Idempotency-Key"]
        if declared["idempotency"] == "required":
            assert keyed and keyed[0]["required"], route
            assert "409" in operation[method.lower()]["responses"], route
        else:
            assert not keyed, route


def test_old_replays_are_purged_and_recent_ones_kept(api_as, settings):
    client = api_as(Role.CITIZEN)
    old_key, new_key_ = new_key(), new_key()
    client.send("PUT", LANGUAGE, {"language": "en"}, key=old_key)
    client.send("PUT", LANGUAGE, {"language": "hi"}, key=new_key_)
    IdempotencyRecord.objects.filter(key=old_key).update(
        created_at=timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_KEEP_HOURS + 1)
    )

    assert purge_idempotency_records() == 1

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == [new_key_]
