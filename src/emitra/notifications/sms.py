"""SMS texts (Hindi first, then English, in one message) and the gateway client."""

from __future__ import annotations

from typing import Any

import httpx
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# Templates are gettext message ids, so the Hindi half comes from locale/hi like every page.
TEMPLATES: dict[str, str] = {
    "login_otp": gettext_noop(
        "e-Mitra login OTP is %(code)s. It is valid for %(minutes)s minutes. "
        "Do not share it with anyone."
    ),
    # Family registry consent (registry): params code, minutes, requester (the operator).
    "registry_consent_otp": gettext_noop(
        "e-Mitra: OTP %(code)s lets %(requester)s see your Jan Aadhaar family details for "
        "%(minutes)s minutes. Share it only if you asked for this."
    ),
    # Bill payments (billpay): params amount, biller, biller_hi (the Hindi name, for the
    # Hindi text), consumer, number (the receipt number), feedback (the rating/complaint link).
    "bill_paid": gettext_noop(
        "e-Mitra: %(amount)s paid to %(biller)s for consumer %(consumer)s. "
        "Receipt %(number)s. Pay only this amount at the kiosk. "
        "Rate the service or complain: %(feedback)s"
    ),
    "bill_not_paid": gettext_noop(
        "e-Mitra: the payment of %(amount)s to %(biller)s for consumer %(consumer)s did not go "
        "through; the money was not taken. Receipt %(number)s."
    ),
}


class GatewayError(Exception):
    """The SMS gateway refused or did not answer; the outbox will retry."""


def render(template: str, params: dict[str, Any]) -> str:
    """'<Hindi>\n<English>' — every citizen SMS carries both languages."""
    message_id = TEMPLATES[template]
    parts = []
    for language in ("hi", "en"):
        with translation.override(language):
            parts.append(_(message_id) % params)
    return "\n".join(parts)


def send(*, to: str, text: str, reference: str) -> str:
    """POST to the gateway; `reference` makes a retried send a no-op at the gateway."""
    try:
        response = httpx.post(
            f"{settings.SMS_GATEWAY_URL}/api/v1/messages",
            json={"to": to, "text": text, "ref": reference, "sender": "EMITRA"},
            headers={"X-Api-Key": settings.SMS_GATEWAY_KEY},
            timeout=5.0,
        )
    except httpx.HTTPError as exc:
        raise GatewayError(f"SMS gateway unreachable: {type(exc).__name__}") from exc
    if response.status_code not in (200, 201):
        raise GatewayError(f"SMS gateway answered {response.status_code}")
    return str(response.json()["id"])
