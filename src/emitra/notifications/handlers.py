"""Outbox handlers of the notifications app."""

from __future__ import annotations

from django.db import transaction

from emitra.core import outbox
from emitra.notifications import sms
from emitra.notifications.models import SentSms


@outbox.handler("notifications.sms", atomic=False)
def send_sms(message: outbox.Envelope) -> None:
    """Send one SMS. Non-atomic: the HTTP call happens outside any transaction, and the
    outbox key is the gateway's idempotency reference, so a retry never sends twice."""
    payload = message.payload
    if SentSms.objects.filter(outbox_message_id=message.id).exists():
        return
    text = sms.render(payload["template"], payload.get("params", {}))
    gateway_id = sms.send(to=payload["to"], text=text, reference=f"emitra-{message.key}")
    with transaction.atomic():
        SentSms.objects.get_or_create(
            outbox_message_id=message.id,
            defaults={
                "to": payload["to"],
                "template": payload["template"],
                "text": "" if payload.get("sensitive") else text,
                "gateway_id": gateway_id,
            },
        )
