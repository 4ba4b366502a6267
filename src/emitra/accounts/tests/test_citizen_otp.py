"""Citizen login by a one-time code sent by SMS through the outbox."""

from __future__ import annotations

import itertools
import json
import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from emitra.accounts import services
from emitra.accounts.models import LoginOtp, User
from emitra.accounts.roles import Role
from emitra.accounts.views import SESSION_OTP_MOBILE
from emitra.core import outbox
from emitra.core.models import AuditEntry, OutboxMessage, OutboxStatus
from emitra.notifications.models import SentSms
from emitra.notifications.sms import TEMPLATES

ASK = "/accounts/citizen/"
VERIFY = "/accounts/citizen/verify/"
HINDI_CATALOG = Path(settings.LOCALE_PATHS[0]) / "hi" / "LC_MESSAGES" / "django.mo"
DEVANAGARI = re.compile(r"[\u0900-\u097F]")


_spacer_ids = itertools.count(10**12, 1000)


@pytest.fixture
def gateway(sms_gateway):
    """The SMS simulator, with this test's outbox ids apart from every other test's.

    The handler sends `outbox-<id>` as the gateway's idempotency reference, and the simulator
    lives for the whole session; on SQLite a rolled-back test hands the same ids to the next
    test, whose SMS the simulator would then drop as a duplicate. A placeholder row with a
    fresh, high id moves SQLite's counter past it (PostgreSQL sequences never go back).
    """
    OutboxMessage.objects.create(
        id=next(_spacer_ids), topic="tests.id_spacer", status=OutboxStatus.DONE
    )
    return sms_gateway


def sms_outbox() -> OutboxMessage:
    return OutboxMessage.objects.get(topic="notifications.sms")


def in_hindi(message: str) -> str:
    """What a Hindi page shows for `message` (the msgid itself while no catalog is compiled)."""
    with translation.override("hi"):
        return escape(gettext(message))


def ask_for_otp(client: Client, mobile: str):
    return client.post(ASK, {"mobile": mobile})


def queued_code(mobile: str) -> str:
    """The code in the not-yet-sent SMS (the only place it exists in clear)."""
    message = OutboxMessage.objects.filter(
        topic="notifications.sms", status=OutboxStatus.PENDING, payload__to=mobile
    ).latest("id")
    return str(message.payload["params"]["code"])


def make_due_now() -> None:
    """Skip the retry backoff: make every pending message due at once."""
    OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(available_at=timezone.now())


def client_waiting_for_code(mobile: str) -> Client:
    """A fresh browser whose session is at the 'enter the code' step for `mobile`."""
    other = Client()
    session = other.session
    session[SESSION_OTP_MOBILE] = mobile
    session.save()
    return other


@pytest.mark.django_db
def test_citizen_gets_a_bilingual_sms_code_and_logs_in_with_it(client, gateway):
    mobile = "9829010001"

    response = ask_for_otp(client, mobile)

    assert response.status_code == 302
    assert response["Location"] == VERIFY
    assert OutboxMessage.objects.filter(topic="notifications.sms").count() == 1
    assert gateway.messages(mobile) == []  # nothing leaves before the worker runs

    assert outbox.run_due() == 1

    [received] = gateway.messages(mobile)
    hindi_line, english_line = received["text"].split("\n")
    found = re.fullmatch(r"e-Mitra login OTP is (\d{6})\. .*", english_line)
    assert found is not None, english_line
    code = found.group(1)
    english = TEMPLATES["login_otp"] % {"code": code, "minutes": 5}
    assert english_line == english
    with translation.override("hi"):
        assert hindi_line == gettext(TEMPLATES["login_otp"]) % {"code": code, "minutes": 5}
    assert code in hindi_line

    response = client.post(VERIFY, {"code": code})

    assert response.status_code == 302
    user = User.objects.get(mobile=mobile)
    assert user.role == Role.CITIZEN
    assert user.username == f"c{mobile}"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditEntry.objects.filter(action="accounts.citizen_otp_login", actor=user).exists()


@pytest.mark.django_db
def test_no_otp_is_left_in_the_database_once_the_sms_is_sent(client, gateway):
    mobile = "9829010002"
    ask_for_otp(client, mobile)
    code = queued_code(mobile)

    outbox.run_due()

    message = sms_outbox()
    assert message.status == OutboxStatus.DONE
    assert message.payload == {"redacted": True}
    assert SentSms.objects.get(outbox_message_id=message.pk).text == ""
    stored = [
        json.dumps(list(OutboxMessage.objects.values()), default=str),
        json.dumps(list(SentSms.objects.values()), default=str),
        json.dumps(list(AuditEntry.objects.values("before", "after", "object_id"))),
        json.dumps(list(LoginOtp.objects.values("code_hash"))),
    ]
    assert not any(code in text for text in stored)


@pytest.mark.django_db
@pytest.mark.skipif(not HINDI_CATALOG.exists(), reason="locale/hi is not compiled (make messages)")
def test_the_otp_sms_starts_with_a_hindi_line(client, gateway):
    mobile = "9829010003"
    ask_for_otp(client, mobile)
    outbox.run_due()

    [received] = gateway.messages(mobile)

    hindi_line, english_line = received["text"].split("\n")
    assert DEVANAGARI.search(hindi_line)
    assert not DEVANAGARI.search(english_line)


@pytest.mark.django_db
def test_a_code_cannot_be_used_twice(client):
    mobile = "9829010004"
    ask_for_otp(client, mobile)
    code = queued_code(mobile)
    assert client.post(VERIFY, {"code": code}).status_code == 302

    replay = client_waiting_for_code(mobile).post(VERIFY, {"code": code})

    assert replay.status_code == 200
    assert in_hindi("This OTP has expired or was already used. Ask for a new one.") in (
        replay.content.decode()
    )
    assert "_auth_user_id" not in replay.wsgi_request.session
    assert AuditEntry.objects.filter(
        action="accounts.otp_failed", after__reason="accounts.otp_expired"
    ).exists()


@pytest.mark.django_db
def test_an_expired_code_is_refused(client):
    mobile = "9829010005"
    ask_for_otp(client, mobile)
    code = queued_code(mobile)
    LoginOtp.objects.filter(mobile=mobile).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.post(VERIFY, {"code": code})

    assert response.status_code == 200
    assert in_hindi("This OTP has expired or was already used. Ask for a new one.") in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(mobile=mobile).exists()


@pytest.mark.django_db
def test_five_wrong_codes_lock_the_otp_even_for_the_right_code(client):
    mobile = "9829010006"
    ask_for_otp(client, mobile)
    code = queued_code(mobile)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(settings.CITIZEN_OTP_MAX_ATTEMPTS):
        response = client.post(VERIFY, {"code": wrong})
        assert in_hindi("The OTP is not correct.") in response.content.decode()

    response = client.post(VERIFY, {"code": code})

    assert response.status_code == 200
    assert in_hindi("Too many wrong attempts. Ask for a new OTP.") in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginOtp.objects.get(mobile=mobile).attempts == settings.CITIZEN_OTP_MAX_ATTEMPTS


@pytest.mark.django_db
def test_a_fourth_otp_within_fifteen_minutes_is_refused(client):
    mobile = "9829010007"
    for _ in range(3):
        assert ask_for_otp(client, mobile).status_code == 302

    response = ask_for_otp(client, mobile)

    assert response.status_code == 200
    assert in_hindi("Too many OTP requests for this number. Try again in 15 minutes.") in (
        response.content.decode()
    )
    assert LoginOtp.objects.filter(mobile=mobile).count() == 3
    assert OutboxMessage.objects.filter(topic="notifications.sms").count() == 3
    assert AuditEntry.objects.filter(action="accounts.otp_rate_limited").count() == 1


@pytest.mark.django_db
def test_asking_again_kills_the_earlier_code(client, monkeypatch):
    codes = iter([111_111, 222_222])
    monkeypatch.setattr("emitra.accounts.services.secrets.randbelow", lambda _n: next(codes))
    mobile = "9829010008"
    ask_for_otp(client, mobile)
    ask_for_otp(client, mobile)

    assert client.post(VERIFY, {"code": "111111"}).status_code == 200
    assert client.post(VERIFY, {"code": "222222"}).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("mobile", ["12345", "abcdefghij", "5829012345", "98290123456"])
def test_a_malformed_mobile_gets_a_translated_error_and_creates_nothing(client, mobile):
    response = ask_for_otp(client, mobile)

    assert response.status_code == 200
    assert in_hindi("Enter a 10-digit Indian mobile number starting with 6, 7, 8 or 9.") in (
        response.content.decode()
    )
    assert not LoginOtp.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_failing_gateway_is_retried_and_the_citizen_gets_exactly_one_sms(client, gateway):
    mobile = "9829010009"
    gateway.fail_next(2)
    ask_for_otp(client, mobile)

    runs = []
    for _ in range(3):
        runs.append(outbox.run_due())
        make_due_now()

    assert runs == [0, 0, 1]
    message = sms_outbox()
    assert message.status == OutboxStatus.DONE
    assert message.attempts == 3
    assert message.last_error == ""
    assert len(gateway.messages(mobile)) == 1
    assert outbox.run_due() == 0  # done means done: a later run sends nothing more
    assert len(gateway.messages(mobile)) == 1


@pytest.mark.django_db
def test_an_otp_is_delivered_even_if_the_gateway_saw_its_outbox_id_before(client, gateway):
    mobile = "9829010010"
    ask_for_otp(client, mobile)
    earlier_life = {"to": "9829099999", "text": "old", "ref": f"outbox-{sms_outbox().pk}"}
    httpx.post(
        f"{gateway.url}/api/v1/messages", json=earlier_life, headers={"X-Api-Key": "test-sms-key"}
    ).raise_for_status()

    outbox.run_due()

    assert len(gateway.messages(mobile)) == 1


@pytest.mark.django_db
def test_only_citizens_may_be_created_without_a_name(make_user):
    citizen = services.create_user(username="c9829010011", full_name="", role=Role.CITIZEN)
    assert str(citizen) == "c9829010011"

    with pytest.raises(ValidationError) as refused:
        services.create_user(username="jaipur.nameless", full_name=" ", role=Role.OPERATOR)

    assert "full_name" in refused.value.message_dict
