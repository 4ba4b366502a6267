"""Platform tables every domain shares: id series, the audit log and the outbox."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdSeries(models.Model):
    """The last number issued in a series for one financial year (gapless, see core.ids)."""

    series = models.CharField(_("series"), max_length=12)
    period = models.CharField(_("financial year"), max_length=7)
    last_value = models.BigIntegerField(_("last number issued"), default=0)

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")
        constraints = [
            models.UniqueConstraint(fields=["series", "period"], name="idseries_unique_period"),
            models.CheckConstraint(
                condition=models.Q(last_value__gte=0), name="idseries_last_value_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.period}: {self.last_value}"


class AuditEntry(models.Model):
    """One act by one actor. Rows are append-only: database triggers refuse UPDATE and DELETE."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("actor as recorded"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    DEAD = "dead", _("Dead letter")


class OutboxMessage(models.Model):
    """Work to do after a commit, written in the same transaction as the change it follows."""

    # Globally unique, unlike the id, which restarts after a database reset: partners that
    # deduplicate on our reference must never mistake a new message for an old one.
    key = models.UUIDField(_("key"), default=uuid.uuid4, unique=True, editable=False)
    topic = models.CharField(_("topic"), max_length=80, db_index=True)
    payload: models.JSONField[Any, Any] = models.JSONField(_("payload"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("maximum attempts"), default=8)
    available_at = models.DateTimeField(_("due at"), default=timezone.now)
    lease_token = models.UUIDField(_("lease"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        indexes = [models.Index(fields=["status", "available_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.topic} ({self.get_status_display()})"

    @staticmethod
    def new_lease() -> uuid.UUID:
        return uuid.uuid4()
