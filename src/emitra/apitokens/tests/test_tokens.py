"""Logging the app in (password, password + TOTP for staff, citizen OTP) and out; expired,
revoked and unknown tokens get 401 with a message that says which, in the envelope."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from emitra.accounts.models import LoginOtp
from emitra.accounts.roles import Role
from emitra.apitokens.models import ApiToken
from emitra.apitokens.tests.conftest import ApiClient

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token"
ME = "/api/v1/auth/me"


def test_an_operator_gets_a_token_with_the_password_and_it_is_stored_only_hashed(
    make_user, anonymous
):
    operator = make_user(Role.OPERATOR)

    response = anonymous.send(
        "POST", TOKEN, {"username": operator.username, "password": "correct-horse-42"}
    )

    assert response.status_code == 201
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["user"]["role"] == "operator"
    raw = body["token"]
    record = ApiToken.objects.get(user=operator)
    assert record.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {record.key_hash, record.prefix}
    assert record.expires_at - record.created_at == timedelta(days=30)
    assert ApiClient(raw).get(ME).json()["username"] == operator.username


def test_the_mobile_number_works_as_the_login_name(make_user, anonymous):
    operator = make_user(Role.OPERATOR, mobile="9829011111")

    response = anonymous.send(
        "POST", TOKEN, {"username": "9829011111", "password": "correct-horse-42"}
    )

    assert response.status_code == 201
    assert response.json()["user"]["username"] == operator.username


def test_a_wrong_password_is_401_and_no_token_is_made(make_user, anonymous):
    operator = make_user(Role.OPERATOR)

    response = anonymous.send("POST", TOKEN, {"username": operator.username, "password": "nope"})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "api.login_failed"
    assert not ApiToken.objects.exists()


def test_staff_with_a_wrong_totp_code_get_no_token(make_user, anonymous):
    admin = make_user(Role.AUDITOR)
    TOTPDevice.objects.create(user=admin, confirmed=True)

    response = anonymous.send(
        "POST", TOKEN, {"username": admin.username, "password": "correct-horse-42", "totp": "1"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "accounts.totp_wrong"
    assert not ApiToken.objects.exists()


def test_staff_need_their_totp_code_too(make_user, anonymous):
    admin = make_user(Role.STATE_ADMIN)
    device = TOTPDevice.objects.create(user=admin, confirmed=True)
    credentials = {"username": admin.username, "password": "correct-horse-42"}

    missing = anonymous.send("POST", TOKEN, credentials)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    right = anonymous.send("POST", TOKEN, {**credentials, "totp": code})

    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "api.totp_required"
    assert right.status_code == 201
    assert ApiToken.objects.filter(user=admin).count() == 1


def test_a_citizen_logs_in_with_mobile_and_otp(anonymous, monkeypatch):
    monkeypatch.setattr("emitra.accounts.services.secrets.randbelow", lambda _n: 123456)

    sent = anonymous.send("POST", "/api/v1/auth/otp", {"mobile": "9829022222"})
    wrong = anonymous.send("POST", TOKEN, {"mobile": "9829022222", "otp": "654321"})
    right = anonymous.send("POST", TOKEN, {"mobile": "9829022222", "otp": "123456"})
    again = anonymous.send("POST", TOKEN, {"mobile": "9829022222", "otp": "123456"})

    assert sent.status_code == 202
    assert LoginOtp.objects.filter(mobile="9829022222").count() == 1
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "accounts.otp_wrong"
    assert right.status_code == 201
    assert right.json()["user"]["role"] == "citizen"
    assert again.status_code == 400, "an OTP logs in once"
    assert again.json()["error"]["code"] == "accounts.otp_expired"


def test_a_citizen_cannot_log_in_with_a_password(make_user, anonymous):
    citizen = make_user(Role.CITIZEN)

    response = anonymous.send(
        "POST", TOKEN, {"username": citizen.username, "password": "correct-horse-42"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "api.citizen_use_otp"


def test_no_credentials_at_all_is_a_clear_400(anonymous):
    response = anonymous.send("POST", TOKEN, {})

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "api.credentials_missing",
        "message": "Send username and password, or mobile and OTP.",
    }


def test_an_expired_token_is_401_with_a_message_saying_so(api_as):
    client = api_as(Role.OPERATOR)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.get(ME)

    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "api.token_expired",
        "message": "This API token has expired. Log in again.",
    }


def test_a_revoked_token_stops_working_at_once(api_as):
    client = api_as(Role.CITIZEN)
    assert client.get(ME).status_code == 200

    revoked = client.send("POST", "/api/v1/auth/revoke", {})
    after = client.get(ME)
    again = client.send("POST", "/api/v1/auth/revoke", {})

    assert revoked.status_code == 200
    assert revoked.json() == {"revoked": True}
    assert ApiToken.objects.get().revoked_at is not None
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "api.token_revoked"
    assert after.json()["error"]["message"] == (
        "This API token was revoked (logged out). Log in again."
    )
    assert again.status_code == 401


def test_an_unknown_token_is_401_and_never_falls_back_to_the_session(client, make_user):
    operator = make_user(Role.OPERATOR)
    client.force_login(operator)

    response = client.get(ME, HTTP_AUTHORIZATION="Bearer emt_not-a-token")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "api.token_invalid"


def test_a_deactivated_users_token_stops_working(api_as):
    client = api_as(Role.OPERATOR)
    client.user.is_active = False
    client.user.save(update_fields=["is_active"])

    assert client.get(ME).json()["error"]["code"] == "api.token_invalid"


def test_one_cannot_revoke_another_users_token(api_as):
    mine = api_as(Role.OPERATOR)
    theirs = api_as(Role.OPERATOR)

    response = mine.send("POST", "/api/v1/auth/revoke", {"token": theirs.token})

    assert response.status_code == 401
    assert theirs.get(ME).status_code == 200


def test_the_session_still_works_for_the_web_pages(client_as):
    client = client_as(Role.OPERATOR)

    response = client.get(ME)

    assert response.status_code == 200
    assert response.json()["username"] == client.user.username


def test_anonymous_callers_are_told_to_log_in(anonymous):
    response = anonymous.get(ME)

    assert response.status_code == 401
    assert response.json()["error"] == {"code": "api.unauthenticated", "message": "Log in first."}


def test_messages_follow_the_token_users_language(api_as):
    client = api_as(Role.OPERATOR, preferred_language="hi")

    response = client.send("PUT", "/api/v1/auth/me/language", {"language": "xx"})

    assert response.status_code == 422
    assert response.headers["Content-Language"] == "hi"
