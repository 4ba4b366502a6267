"""Issued certificates: the record behind each signed PDF, and its revocation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from emitra.certificates.kinds import KINDS, kind_choices


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")


def _pdf_path(instance: Certificate, filename: str) -> str:
    return f"certificates/{instance.kind}/{instance.number}.pdf"


class Certificate(models.Model):
    """One issued certificate; at most one per application and kind (a retry returns it)."""

    number = models.CharField(_("certificate number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=kind_choices())
    application_number = models.CharField(_("application number"), max_length=40)
    holder_name_en = models.CharField(_("holder's name (English)"), max_length=120)
    holder_name_hi = models.CharField(_("holder's name (Hindi)"), max_length=120)
    fields = models.JSONField(_("certificate fields"), default=dict)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="certificates_issued",
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
        help_text=_("The issuing officer's department: its staff may open the certificate."),
    )
    district = models.ForeignKey(
        "geo.District",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    # Stored through the default storage (var/media by default), which no URL serves:
    # downloads go through the access-checked view.
    pdf = models.FileField(_("signed PDF"), upload_to=_pdf_path, max_length=200)
    sha256 = models.CharField(_("SHA-256 of the signed PDF"), max_length=64)
    content_sha256 = models.CharField(_("SHA-256 of the content"), max_length=64)
    qr_payload = models.TextField(_("QR payload"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates_revoked",
    )
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "application_number"], name="one_certificate_per_application"
            ),
            models.CheckConstraint(
                condition=models.Q(status="valid", revoked_at__isnull=True)
                | models.Q(status="revoked", revoked_at__isnull=False),
                name="certificate_revoked_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("certificates:download", args=[self.number])

    @property
    def is_revoked(self) -> bool:
        return self.status == CertificateStatus.REVOKED

    @property
    def kind_info(self) -> Any:
        return KINDS[self.kind]

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind].name) if self.kind in KINDS else self.kind
