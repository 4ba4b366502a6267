"""A record of each SMS handed to the gateway (never the text of a sensitive one)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emitra.core.masking import mask_mobile


class SentSms(models.Model):
    outbox_message_id = models.BigIntegerField(_("outbox message"), unique=True)
    to = models.CharField(_("mobile number"), max_length=10, db_index=True)
    template = models.CharField(_("template"), max_length=40)
    text = models.TextField(_("text"), blank=True, help_text=_("Empty for OTPs."))
    gateway_id = models.CharField(_("gateway message id"), max_length=64)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("SMS sent")
        verbose_name_plural = _("SMS sent")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.template} → {mask_mobile(self.to)}"
