"""The bill-payment saga's tunable limits, with defaults (override in settings)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings


def cancel_attempts() -> int:
    """Unanswered cancel attempts past the deadline before the payment is referred to staff
    (polling stops then). With the default poll cap of 60 s this is about five minutes."""
    return max(1, int(getattr(settings, "BILLPAY_CANCEL_ATTEMPTS", 5)))


def attention_before_hold_expiry() -> timedelta:
    """A payment still unresolved this long before its hold expires is referred to staff,
    whatever the cancel attempts: the hold (2 days) must not lapse unnoticed under it."""
    return timedelta(
        seconds=int(getattr(settings, "BILLPAY_ATTENTION_BEFORE_HOLD_EXPIRY_SECONDS", 86_400))
    )


def attention_hold() -> timedelta:
    """How long a referred payment's money stays reserved for staff to decide (the hold is
    extended to this from the moment of referral; after it, the money goes back)."""
    return timedelta(days=int(getattr(settings, "BILLPAY_ATTENTION_HOLD_DAYS", 30)))
