"""Writes about API tokens: issue one (password, password + TOTP for staff, or citizen OTP),
revoke one, and resolve a presented token to its user (refusing expired and revoked ones)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emitra.accounts import services as accounts
from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.apitokens import errors
from emitra.apitokens.models import ApiToken, IdempotencyRecord
from emitra.core import audit
from emitra.core.errors import InvalidInput

PREFIX = "emt_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class Issued:
    token: str  # shown once, never stored
    record: ApiToken

    @property
    def expires_at(self) -> datetime:
        return self.record.expires_at


@transaction.atomic
def issue_token(*, user: User, how: str) -> Issued:
    raw = PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    record = ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        prefix=raw[:12],
        created_at=now,
        expires_at=now + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    audit.record(actor=user, action="apitokens.issued", obj=record, after={"how": how})
    return Issued(raw, record)


def token_by_password(
    *, request: HttpRequest, username: str, password: str, totp: str = ""
) -> Issued:
    """Operators and other non-citizen accounts: SSO ID or mobile with the password (django-axes
    counts failures as on the login page); staff roles must add their TOTP code."""
    user = authenticate(request, username=username, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise errors.locked_out()
        raise errors.wrong_credentials()
    assert isinstance(user, User)
    if user.role == Role.CITIZEN:
        raise InvalidInput("api.citizen_use_otp", _("Citizens log in with their mobile and OTP."))
    if user.needs_totp:
        if not totp:
            raise InvalidInput("api.totp_required", _("Enter the code from your authenticator."))
        accounts.verify_totp(user=user, token=totp)
    return issue_token(user=user, how="password")


def token_by_otp(*, mobile: str, otp: str) -> Issued:
    """Citizens: the OTP sent by accounts.services.request_citizen_otp."""
    user = accounts.verify_citizen_otp(mobile=mobile, code=otp)
    if user.role != Role.CITIZEN:
        raise InvalidInput(
            "api.use_password", _("This number belongs to a staff account: use the password.")
        )
    return issue_token(user=user, how="otp")


def user_for_token(raw: str) -> User:
    """The active user a token belongs to, or a 401 that says why (unknown, expired, revoked)."""
    record = (
        ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw.strip())).first()
    )
    if record is None or not record.user.is_active:
        raise errors.token_unknown()
    if record.revoked_at is not None:
        raise errors.token_revoked()
    now = timezone.now()
    if record.expires_at <= now:
        raise errors.token_expired()
    if record.last_used_at is None or now - record.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.user


@transaction.atomic
def revoke_token(*, user: User, raw: str) -> None:
    """Log the app out: the token stops working at once. Revoking twice is harmless."""
    now = timezone.now()
    record = ApiToken.objects.select_for_update().filter(key_hash=hash_token(raw.strip())).first()
    if record is None or record.user_id != user.pk:
        raise errors.token_unknown()
    if record.revoked_at is None:
        record.revoked_at = now
        record.save(update_fields=["revoked_at"])
        audit.record(actor=user, action="apitokens.revoked", obj=record)


def purge_idempotency_records(*, now: datetime | None = None, limit: int = 5000) -> int:
    """Forget writes older than API_IDEMPOTENCY_KEEP_HOURS: a client retries within minutes,
    and the table would otherwise grow with every write ever made. Returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.API_IDEMPOTENCY_KEEP_HOURS)
    old = list(
        IdempotencyRecord.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:limit]
    )
    deleted, _counts = IdempotencyRecord.objects.filter(pk__in=old).delete()
    return deleted
