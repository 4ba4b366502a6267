from datetime import timedelta

import pytest
from django.utils import timezone

from emitra.core import outbox
from emitra.core.models import AuditEntry, OutboxMessage, OutboxStatus

calls = {"count": 0}


@outbox.handler("tests.flaky_effect")
def flaky_effect(message: outbox.Envelope) -> None:
    """Writes its effect, then fails on the first two attempts."""
    from emitra.core import audit

    audit.record(actor=None, action="tests.effect", object_id=str(message.id))
    calls["count"] += 1
    if calls["count"] <= message.payload["fail_times"]:
        raise RuntimeError(f"simulated failure {calls['count']}")


def _make_due() -> None:
    OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(available_at=timezone.now())


@pytest.fixture(autouse=True)
def _reset_calls():
    calls["count"] = 0


@pytest.mark.django_db
def test_a_handler_that_fails_twice_then_succeeds_takes_effect_exactly_once():
    message = outbox.enqueue("tests.flaky_effect", fail_times=2)
    for _ in range(3):
        _make_due()
        outbox.run_due()
    message.refresh_from_db()
    assert message.status == OutboxStatus.DONE
    assert message.attempts == 3
    assert calls["count"] == 3
    assert AuditEntry.objects.filter(action="tests.effect").count() == 1
    outbox.run_due()  # nothing left: done messages never run again
    assert calls["count"] == 3


@pytest.mark.django_db
def test_failures_back_off_exponentially():
    message = outbox.enqueue("tests.flaky_effect", fail_times=1)
    before = timezone.now()
    outbox.run_due()
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert "simulated failure 1" in message.last_error
    assert message.available_at >= before + outbox.backoff(1)
    assert outbox.run_due() == 0  # not due yet
    expected = [timedelta(seconds=s) for s in (5, 10, 20, 3600)]
    assert [outbox.backoff(n) for n in (1, 2, 3, 20)] == expected


@pytest.mark.django_db
def test_after_the_last_attempt_a_message_becomes_a_dead_letter_and_can_be_retried():
    message = outbox.enqueue("tests.flaky_effect", fail_times=99)
    OutboxMessage.objects.filter(pk=message.pk).update(max_attempts=2)
    for _ in range(2):
        _make_due()
        outbox.run_due()
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert outbox.retry_dead(message_ids=[message.pk]) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)


@pytest.mark.django_db
def test_a_message_taken_over_after_its_lease_ran_out_is_not_finished_twice():
    outbox.enqueue("tests.flaky_effect", fail_times=0)
    [(message_id, stale_token)] = outbox.claim_due()
    OutboxMessage.objects.filter(pk=message_id).update(available_at=timezone.now())
    [(_, fresh_token)] = outbox.claim_due()  # another worker after the lease expired
    assert outbox.execute(message_id, stale_token) is False
    assert outbox.execute(message_id, fresh_token) is True
    assert AuditEntry.objects.filter(action="tests.effect").count() == 1


@pytest.mark.django_db
def test_enqueue_refuses_unknown_topics():
    with pytest.raises(LookupError):
        outbox.enqueue("nobody.listens")


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_message():
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue("tests.flaky_effect", fail_times=0)
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()


@pytest.mark.redis
@pytest.mark.django_db
def test_the_celery_backend_hands_due_messages_to_the_broker(settings):
    import redis

    from conftest import redis_url
    from emitra.core.celery import app

    app.conf.update(broker_url=redis_url())
    client = redis.Redis.from_url(redis_url())
    client.delete("emitra")
    try:
        message = outbox.enqueue("tests.flaky_effect", fail_times=0)
        assert outbox.dispatch_due() == 1
        assert client.llen("emitra") == 1
        token = OutboxMessage.objects.get(pk=message.pk).lease_token
        from emitra.core.tasks import run_outbox_message

        assert run_outbox_message(message.pk, str(token)) is True  # what the Celery worker runs
        assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.DONE
    finally:
        client.delete("emitra")
        app.conf.update(broker_url=settings.CELERY_BROKER_URL)
