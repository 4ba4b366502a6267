"""Password login by SSO ID or mobile, the TOTP gate for staff, lockout and logout."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from emitra.accounts.roles import STAFF_ROLES, Role
from emitra.core.models import AuditEntry

LOGIN = "/accounts/login/"
TOTP = "/accounts/totp/"
PASSWORD = "correct-horse-42"
WRONG_CODE_MESSAGE = "The code is not correct. Try the next one."
# Pages of every kind: public, public-but-elsewhere, role-declared, the back office, own account.
GATED_PAGES = ["/", "/geo/", "/departments/", "/accounts/users/", "/accounts/me/", "/admin/"]


def in_hindi(message: str) -> str:
    """What a Hindi page shows for `message` (the msgid itself while no catalog is compiled)."""
    with translation.override("hi"):
        return escape(gettext(message))


def code_for(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):0{device.digits}d}"


def wrong_code_for(device: TOTPDevice) -> str:
    accepted = {code_for(device, drift) for drift in range(-device.tolerance, device.tolerance + 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def identifier(user, kind: str):
    return user.username if kind == "sso_id" else user.mobile


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["sso_id", "mobile"])
@pytest.mark.parametrize("role", [r for r in Role.values if r not in STAFF_ROLES])
def test_non_staff_log_in_by_sso_id_or_mobile_and_go_straight_in(client, make_user, role, kind):
    user = make_user(role)

    response = client.post(LOGIN, {"username": identifier(user, kind), "password": PASSWORD})

    assert response.status_code == 302
    # Operators start at their counter (the console), everyone else at home.
    assert response["Location"] == ("/console/" if role == Role.OPERATOR else "/")
    assert logged_in_user_id(client) == str(user.pk)
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="accounts.login", actor=user).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["sso_id", "mobile"])
@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_staff_must_pass_totp_before_any_page(client, make_user, role, kind):
    user = make_user(role)

    client.post(LOGIN, {"username": identifier(user, kind), "password": PASSWORD})

    assert logged_in_user_id(client) == str(user.pk)
    for page in GATED_PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == f"{TOTP}?next={page}", page


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_staff_with_a_correct_totp_code_are_let_in(client, make_user, role):
    user = make_user(role)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.post(LOGIN, {"username": user.username, "password": PASSWORD})

    response = client.post(f"{TOTP}?next=/accounts/me/", {"code": code_for(device)})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    for page in ["/", "/accounts/me/"]:
        assert client.get(page).status_code == 200, page


@pytest.mark.django_db
def test_a_wrong_totp_code_is_refused_with_a_translated_error_and_audited(client, make_user):
    user = make_user(Role.DEPARTMENT_OFFICER)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.post(LOGIN, {"username": user.username, "password": PASSWORD})

    response = client.post(TOTP, {"code": wrong_code_for(device)})

    assert response.status_code == 200
    assert in_hindi(WRONG_CODE_MESSAGE) in response.content.decode()
    assert AuditEntry.objects.filter(action="accounts.totp_failed", actor=user).count() == 1
    assert client.get("/").status_code == 302  # still not verified


@pytest.mark.django_db
def test_first_time_staff_enrol_an_authenticator_from_a_qr_code(client, make_user):
    user = make_user(Role.STATE_ADMIN)
    client.post(LOGIN, {"username": user.username, "password": PASSWORD})

    page = client.get(TOTP)

    assert page.status_code == 200
    assert page.templates[0].name == "accounts/totp_setup.html"
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    assert page.context["secret"] in page.content.decode()

    response = client.post(TOTP, {"code": code_for(device)})

    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action="accounts.totp_enrolled", actor=user).exists()
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_enrolment_with_a_wrong_code_leaves_the_authenticator_unconfirmed(client, make_user):
    user = make_user(Role.AUDITOR)
    client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    client.get(TOTP)
    device = TOTPDevice.objects.get(user=user)

    response = client.post(TOTP, {"code": wrong_code_for(device)})

    assert response.status_code == 200
    assert in_hindi(WRONG_CODE_MESSAGE) in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert AuditEntry.objects.filter(action="accounts.totp_enrol_failed", actor=user).exists()
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_a_wrong_password_shows_a_form_error_and_logs_nobody_in(client, make_user):
    user = make_user(Role.OPERATOR)

    response = client.post(LOGIN, {"username": user.username, "password": "not-the-password"})

    assert response.status_code == 200
    assert response.context["form"].errors["__all__"]
    assert (
        in_hindi(
            "The mobile number/SSO ID or the password is not correct. "
            "After 5 wrong attempts the account is locked for 15 minutes."
        )
        in response.content.decode()
    )
    assert logged_in_user_id(client) is None
    failed = AuditEntry.objects.get(action="accounts.login_failed")
    assert failed.actor is None
    assert failed.actor_label == user.username


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(client, make_user):
    user = make_user(Role.OPERATOR)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": user.username, "password": "not-the-password"})

    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})

    # django-axes answers a locked-out login with AXES_HTTP_RESPONSE_CODE, 429 by default.
    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    body = response.content.decode()
    assert '<html lang="hi">' in body
    assert in_hindi("Account locked") in body
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_the_lockout_counts_per_account_whichever_way_it_is_named(client, make_user):
    user = make_user(Role.OPERATOR)
    spellings = [
        user.username,
        user.username.upper(),
        user.username.title(),
        user.mobile,
        f"+91 {user.mobile[:5]} {user.mobile[5:]}",
    ]
    assert len(spellings) == settings.AXES_FAILURE_LIMIT
    for spelling in spellings:
        client.post(LOGIN, {"username": spelling, "password": "not-the-password"})

    for spelling in [user.username, user.mobile, f"0{user.mobile}"]:
        response = client.post(LOGIN, {"username": spelling, "password": PASSWORD})
        assert response.status_code == 429, spelling
        assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_the_admin_login_also_counts_failures_per_account(client, make_user):
    user = make_user(Role.STATE_ADMIN)
    for spelling in [
        user.username,
        user.username.upper(),
        user.username.title(),
        user.mobile,
        f"0{user.mobile}",
    ]:
        client.post("/admin/login/", {"username": spelling, "password": "not-the-password"})

    response = client.post("/admin/login/", {"username": user.username, "password": PASSWORD})

    assert response.status_code == 429


@pytest.mark.django_db
def test_logout_is_post_only_and_ends_the_session(client_as):
    client = client_as(Role.OPERATOR)

    assert client.get("/accounts/logout/").status_code == 405
    assert logged_in_user_id(client) == str(client.user.pk)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_user_id(client) is None
    assert AuditEntry.objects.filter(action="accounts.logout", actor=client.user).exists()


def test_argon2_is_the_production_password_hasher():
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from emitra.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    # The test settings trade it for MD5 only for speed.
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    hasher = Argon2PasswordHasher()  # argon2-cffi is installed, so production can use it
    assert hasher.verify(PASSWORD, hasher.encode(PASSWORD, hasher.salt()))
