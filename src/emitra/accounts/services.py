"""Writes about people: creating users, citizen OTP login, language choice, TOTP enrolment."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from emitra.accounts.models import LoginOtp, User
from emitra.accounts.roles import Role
from emitra.accounts.validators import normalise_mobile, validate_mobile
from emitra.core import audit, outbox
from emitra.core.errors import InvalidInput
from emitra.core.masking import mask_mobile

OTP_REQUESTS_PER_WINDOW = 3
OTP_WINDOW = timedelta(minutes=15)


def _otp_hash(otp_id: int, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{otp_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _clean_mobile(mobile: str) -> str:
    value = normalise_mobile(mobile)
    try:
        validate_mobile(value)
    except ValidationError as exc:
        raise InvalidInput("accounts.invalid_mobile", exc.messages[0]) from exc
    return value


@transaction.atomic
def create_user(
    *,
    username: str,
    full_name: str,
    role: Role,
    password: str | None = None,
    mobile: str | None = None,
    actor: User | None = None,
    **scope: Any,
) -> User:
    """Create a user in a role (its permission group follows, see signals) with an audit row."""
    user = User.objects.create_user(
        username=username,
        password=password,
        full_name=full_name,
        role=role,
        mobile=_clean_mobile(mobile) if mobile else None,
        **scope,
    )
    audit.record(
        actor=actor,
        action="accounts.user_created",
        obj=user,
        after={"username": user.username, "role": role, "district": user.district_id},
    )
    return user


@transaction.atomic
def set_preferred_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise InvalidInput("i18n.unknown_language", _("Unknown language."))
    User.objects.filter(pk=user.pk).update(preferred_language=language)
    user.preferred_language = language


def request_citizen_otp(*, mobile: str) -> LoginOtp:
    """Send a 6-digit login code to `mobile` through the outbox (at most 3 per 15 minutes)."""
    mobile = _clean_mobile(mobile)
    with transaction.atomic():
        now = timezone.now()
        recent = LoginOtp.objects.filter(mobile=mobile, created_at__gte=now - OTP_WINDOW).count()
        if recent < OTP_REQUESTS_PER_WINDOW:
            return _issue_otp(mobile=mobile, now=now)
        audit.record(
            actor=None,
            action="accounts.otp_rate_limited",
            object_type="accounts.mobile",
            object_id=mobile,
        )
    raise InvalidInput(
        "accounts.otp_rate_limited",
        _("Too many OTP requests for this number. Try again in 15 minutes."),
    )


def _issue_otp(*, mobile: str, now: datetime) -> LoginOtp:
    # Only the newest code is valid: older unused ones die when a new one is asked for.
    LoginOtp.objects.filter(mobile=mobile, used_at__isnull=True).update(expires_at=now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    ttl = settings.CITIZEN_OTP_TTL_SECONDS
    otp = LoginOtp.objects.create(
        mobile=mobile, code_hash="", expires_at=now + timedelta(seconds=ttl)
    )
    otp.code_hash = _otp_hash(otp.pk, code)
    otp.save(update_fields=["code_hash"])
    outbox.enqueue(
        "notifications.sms",
        to=mobile,
        template="login_otp",
        params={"code": code, "minutes": ttl // 60},
        sensitive=True,
    )
    audit.record(actor=None, action="accounts.otp_sent", obj=otp)
    return otp


def verify_citizen_otp(*, mobile: str, code: str) -> User:
    """Log a citizen in by OTP: the newest live code, at most 5 tries, usable once."""
    mobile = _clean_mobile(mobile)
    code = (code or "").strip()
    failure: InvalidInput | None = None
    with transaction.atomic():
        now = timezone.now()
        otp = (
            LoginOtp.objects.filter(mobile=mobile, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at", "-id")
            .first()
        )
        if otp is None:
            failure = InvalidInput(
                "accounts.otp_expired",
                _("This OTP has expired or was already used. Ask for a new one."),
            )
        elif otp.attempts >= settings.CITIZEN_OTP_MAX_ATTEMPTS:
            failure = InvalidInput(
                "accounts.otp_locked", _("Too many wrong attempts. Ask for a new OTP.")
            )
        elif not (code.isdigit() and hmac.compare_digest(otp.code_hash, _otp_hash(otp.pk, code))):
            LoginOtp.objects.filter(pk=otp.pk).update(attempts=F("attempts") + 1)
            failure = InvalidInput("accounts.otp_wrong", _("The OTP is not correct."))
        if failure is not None:
            audit.record(
                actor=None,
                action="accounts.otp_failed",
                object_type="accounts.mobile",
                object_id=mobile,
                after={"reason": failure.code},
            )
        else:
            assert otp is not None
            # Conditional update: of two requests racing with one code, only one logs in.
            if LoginOtp.objects.filter(pk=otp.pk, used_at__isnull=True).update(used_at=now) != 1:
                failure = InvalidInput("accounts.otp_expired", _("This OTP was already used."))
    if failure is not None:
        raise failure
    return _citizen_for(mobile)


@transaction.atomic
def _citizen_for(mobile: str) -> User:
    user = User.objects.filter(mobile=mobile).first()
    if user is None:
        user = create_user(username=f"c{mobile}", full_name="", role=Role.CITIZEN, mobile=mobile)
    audit.record(
        actor=user, action="accounts.citizen_otp_login", obj=user, actor_label=mask_mobile(mobile)
    )
    return user


@transaction.atomic
def start_totp_enrolment(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator for `user`; replaced on every new start."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device: TOTPDevice = TOTPDevice.objects.create(
        user=user, name="e-Mitra authenticator", confirmed=False
    )
    return device


def confirm_totp_enrolment(*, user: User, device: TOTPDevice, token: str) -> None:
    # The failure is raised after the block commits: raising inside it would roll back the
    # audit row and the device's throttling counter along with it.
    with transaction.atomic():
        ok = device.user_id == user.pk and not device.confirmed and device.verify_token(token)
        if ok:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
        audit.record(
            actor=user,
            action="accounts.totp_enrolled" if ok else "accounts.totp_enrol_failed",
            obj=user,
        )
    if not ok:
        raise InvalidInput("accounts.totp_wrong", _("The code is not correct. Try the next one."))


def verify_totp(*, user: User, token: str) -> Device:
    """The user's confirmed device that accepts `token`; a wrong code is audited."""
    device = match_token(user, token)
    if device is None:
        with transaction.atomic():
            audit.record(actor=user, action="accounts.totp_failed", obj=user)
        raise InvalidInput("accounts.totp_wrong", _("The code is not correct. Try the next one."))
    return device
