"""Users log in with a mobile number or an SSO-style ID; each holds one role and its scope."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emitra.accounts.roles import ADMIN_SITE_ROLES, STAFF_ROLES, STATEWIDE_ROLES, Role
from emitra.accounts.validators import validate_mobile, validate_sso_id
from emitra.core.masking import mask_mobile


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, username: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(username=username.lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("role", Role.STATE_ADMIN)
        extra["is_superuser"] = True
        return self.create_user(username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    username = models.CharField(
        _("SSO ID"),
        max_length=60,
        unique=True,
        validators=[validate_sso_id],
        help_text=_("Login name, e.g. jaipur.society or c9829012345 for a citizen."),
    )
    mobile = models.CharField(
        _("mobile number"),
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_mobile],
    )
    # Blank only for a citizen who logged in by OTP and has not given a name yet (see clean).
    full_name = models.CharField(_("name"), max_length=120, blank=True)
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, default=Role.CITIZEN)
    district = models.ForeignKey(
        "geo.District",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Scope of a district society; home district of operators and LSPs."),
    )
    preferred_language = models.CharField(
        _("language"),
        max_length=5,
        blank=True,
        choices=[("hi", "हिन्दी"), ("en", "English")],
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("back-office access"), default=False, editable=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="district_admin") | models.Q(district__isnull=False),
                name="district_admin_has_district",
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.username})" if self.full_name else self.username

    def clean(self) -> None:
        super().clean()
        if self.role != Role.CITIZEN and not self.full_name.strip():
            raise ValidationError({"full_name": _("Enter the person's name.")})

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Back-office access follows the role, so it cannot drift from it by hand.
        self.is_staff = self.role in ADMIN_SITE_ROLES or self.is_superuser
        super().save(*args, **kwargs)

    @property
    def needs_totp(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_statewide(self) -> bool:
        return self.role in STATEWIDE_ROLES or self.is_superuser

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile) if self.mobile else ""


class LoginOtp(models.Model):
    """A one-time code sent by SMS for citizen login; only its HMAC is stored."""

    mobile = models.CharField(_("mobile number"), max_length=10, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("login OTP")
        verbose_name_plural = _("login OTPs")

    def __str__(self) -> str:
        return f"OTP for {mask_mobile(self.mobile)}"
