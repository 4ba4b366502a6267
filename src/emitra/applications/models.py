"""An application for a G2C service: its form, documents, fee, workflow state and history.

State changes happen only through `services.act`, as a conditional UPDATE on (state, version)
so two officers clicking at once cannot both act; every change appends an `ApplicationEvent`
(append-only in the database, like the ledger's entries).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emitra.core.masking import mask_mobile


class Application(models.Model):
    number = models.CharField(_("application number"), max_length=30, unique=True)
    service = models.ForeignKey(
        "catalog.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    service_version = models.ForeignKey(
        "catalog.ServiceVersion",
        verbose_name=_("service version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    district = models.ForeignKey(
        "geo.District",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    workflow_ref = models.CharField(_("workflow"), max_length=60)
    state = models.CharField(_("status"), max_length=30, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    channel = models.CharField(_("channel"), max_length=10, default="kiosk")
    applicant_name = models.CharField(_("applicant"), max_length=120)
    mobile = models.CharField(_("mobile number"), max_length=10, db_index=True)
    form_data = models.JSONField(_("form"), default=dict)
    amount_paid = models.BigIntegerField(_("fee paid (paise)"), default=0)
    payment_transaction = models.ForeignKey(
        "ledger.JournalTransaction",
        verbose_name=_("payment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="submitted_applications",
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("citizen"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    idempotency_key = models.CharField(max_length=64)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_applications",
    )
    state_since = models.DateTimeField(_("in this status since"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    decision_note = models.TextField(_("reason"), blank=True)
    certificate_number = models.CharField(_("certificate"), max_length=40, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"], name="applications_key_once"
            ),
            models.CheckConstraint(condition=Q(amount_paid__gte=0), name="applications_fee_valid"),
            models.CheckConstraint(condition=Q(version__gte=1), name="applications_version_valid"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)

    def is_overdue(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return self.due_at is not None and self.due_at <= moment  # type: ignore[operator]


class ApplicationDocument(models.Model):
    """A document attached to an application, in the slot of the form it answers."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    document = models.ForeignKey(
        "documents.Document", verbose_name=_("document"), on_delete=models.PROTECT, related_name="+"
    )
    slot = models.CharField(_("field"), max_length=60)
    document_type = models.CharField(_("document type"), max_length=40, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=150)
    label_hi = models.CharField(_("label (Hindi)"), max_length=150)
    round = models.PositiveSmallIntegerField(_("submission round"), default=1)
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["round", "pk"]

    def __str__(self) -> str:
        return f"{self.application.number} · {self.slot}"


class ApplicationEvent(models.Model):
    """One line of an application's history; never changed or deleted."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=30, blank=True)
    to_state = models.CharField(_("to"), max_length=30)
    version = models.PositiveIntegerField(_("version"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField(_("role"), max_length=24, blank=True)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.action} {self.from_state}→{self.to_state}"
