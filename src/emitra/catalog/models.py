"""Departments own services, fees and revenue heads; their staff see only their own."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=150)
    name_hi = models.CharField(_("name (Hindi)"), max_length=150)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_hi if (get_language() or "hi").startswith("hi") else self.name_en


class DepartmentStaff(models.Model):
    """Which department an officer or department admin works for (their scope)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="department_staff",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="staff"
    )

    class Meta:
        verbose_name = _("department staff")
        verbose_name_plural = _("department staff")

    def __str__(self) -> str:
        return f"{self.user} @ {self.department.code}"
