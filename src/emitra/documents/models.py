"""Uploaded documents: checked by content, stored through Django's storage API, never public.

The file lives in the default storage (local disk under EMITRA_VAR_DIR/media, or an
S3-compatible bucket) under a random name; there is no MEDIA_URL, so the only way to read it
is a view that checks the reader's role and scope (see emitra.applications.views.document).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    PDF = "pdf", "PDF"
    JPEG = "jpeg", "JPEG"
    PNG = "png", "PNG"


CONTENT_TYPES = {
    DocumentKind.PDF: "application/pdf",
    DocumentKind.JPEG: "image/jpeg",
    DocumentKind.PNG: "image/png",
}
EXTENSIONS = {DocumentKind.PDF: "pdf", DocumentKind.JPEG: "jpg", DocumentKind.PNG: "png"}


class Document(models.Model):
    file = models.FileField(_("file"), max_length=200)
    kind = models.CharField(_("type"), max_length=4, choices=DocumentKind.choices)
    original_name = models.CharField(_("file name given"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"))
    pages = models.PositiveSmallIntegerField(_("pages"), default=1)
    sha256 = models.CharField(_("SHA-256 of the stored file"), max_length=64, db_index=True)
    original_sha256 = models.CharField(_("SHA-256 of the uploaded file"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=DocumentKind.values), name="documents_known_kind"
            ),
            models.CheckConstraint(condition=models.Q(size__gt=0), name="documents_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sha256[:12]}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[DocumentKind(self.kind)]
