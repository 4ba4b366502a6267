"""Families and members (Jan Aadhaar style), their change requests and history, the Aadhaar
vault, and consent: OTP requests, grants and the record of every access.

Writes happen only in ``registry.services``. An Aadhaar number is never stored here in clear:
``VaultEntry`` holds it encrypted and everything else points at the entry's opaque token.
History and access records are append-only in the database (triggers, migration 0002).
"""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emitra.core.masking import mask_mobile
from emitra.registry import vault


def new_token() -> str:
    return f"av_{secrets.token_urlsafe(18)}"


def new_grant_token() -> str:
    return secrets.token_urlsafe(24)


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    TRANSGENDER = "transgender", _("Transgender")


class Category(models.TextChoices):
    SC = "sc", _("Scheduled Caste (SC)")
    ST = "st", _("Scheduled Tribe (ST)")
    OBC = "obc", _("Other Backward Class (OBC)")
    MBC = "mbc", _("Most Backward Class (MBC)")
    EWS = "ews", _("Economically Weaker Section (EWS)")
    GENERAL = "general", _("General")


class Relation(models.TextChoices):
    HEAD = "head", _("Head of family")
    SPOUSE = "spouse", _("Wife / husband")
    SON = "son", _("Son")
    DAUGHTER = "daughter", _("Daughter")
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    DAUGHTER_IN_LAW = "daughter_in_law", _("Daughter-in-law")
    GRANDCHILD = "grandchild", _("Grandchild")
    BROTHER = "brother", _("Brother")
    SISTER = "sister", _("Sister")
    OTHER = "other", _("Other relative")


class MaritalStatus(models.TextChoices):
    UNMARRIED = "unmarried", _("Unmarried")
    MARRIED = "married", _("Married")
    WIDOWED = "widowed", _("Widowed")
    DIVORCED = "divorced", _("Divorced")
    SEPARATED = "separated", _("Separated / deserted")


class Occupation(models.TextChoices):
    STUDENT = "student", _("Student")
    FARMER = "farmer", _("Farmer")
    LABOURER = "labourer", _("Labourer")
    SALARIED = "salaried", _("Salaried")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    HOMEMAKER = "homemaker", _("Homemaker")
    UNEMPLOYED = "unemployed", _("Not working")
    RETIRED = "retired", _("Retired")
    CHILD = "child", _("Child (not at school)")


class VaultEntry(models.Model):
    """One Aadhaar number, encrypted; referenced elsewhere only by ``token``."""

    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    ciphertext = models.TextField(editable=False)
    fingerprint = models.CharField(max_length=64, unique=True, editable=False)
    last4 = models.CharField(max_length=4, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    rotated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The change request waiting for verification that uses this number (it is "taken").
    pending_change = models.ForeignKey(
        "ChangeRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An application form refers to this number (by token): it is kept even if no member
    # takes it, since the filed form is a record.
    on_forms = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("Aadhaar vault entry")
        verbose_name_plural = _("Aadhaar vault entries")

    def __str__(self) -> str:
        return self.masked

    @property
    def masked(self) -> str:
        return vault.masked(self.last4)


class Family(models.Model):
    family_id = models.CharField(_("Jan Aadhaar family ID"), max_length=10, unique=True)
    mobile = models.CharField(_("registered mobile number"), max_length=10)
    district = models.ForeignKey(
        "geo.District", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    block = models.ForeignKey(
        "geo.Block",
        verbose_name=_("panchayat samiti (block)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    gram_panchayat = models.ForeignKey(
        "geo.GramPanchayat",
        verbose_name=_("gram panchayat"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    urban_body = models.ForeignKey(
        "geo.UrbanBody",
        verbose_name=_("urban body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=300)
    pincode = models.CharField(_("PIN code"), max_length=6)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("families")
        constraints = [
            models.CheckConstraint(
                condition=(Q(gram_panchayat__isnull=False) & Q(urban_body__isnull=True))
                | (Q(gram_panchayat__isnull=True) & Q(urban_body__isnull=False)),
                name="registry_family_gp_xor_urban_body",
            )
        ]

    def __str__(self) -> str:
        return self.family_id

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)


class Member(models.Model):
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="members")
    member_id = models.CharField(_("Jan Aadhaar member ID"), max_length=11, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_hi = models.CharField(_("name (Hindi)"), max_length=100)
    relative_name_en = models.CharField(
        _("father's or husband's name (English)"), max_length=100, blank=True
    )
    relative_name_hi = models.CharField(
        _("father's or husband's name (Hindi)"), max_length=100, blank=True
    )
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices)
    date_of_birth = models.DateField(_("date of birth"))
    relation = models.CharField(_("relation to the head"), max_length=20, choices=Relation.choices)
    category = models.CharField(_("social category"), max_length=8, choices=Category.choices)
    annual_income = models.BigIntegerField(_("annual income (paise)"), default=0)
    disability_percent = models.PositiveSmallIntegerField(_("disability (%)"), default=0)
    marital_status = models.CharField(
        _("marital status"), max_length=12, choices=MaritalStatus.choices
    )
    occupation = models.CharField(_("occupation"), max_length=16, choices=Occupation.choices)
    bank_account_cipher = models.TextField(blank=True, editable=False)
    bank_account_last4 = models.CharField(max_length=4, blank=True)
    ifsc = models.CharField(_("IFSC"), max_length=11, blank=True)
    aadhaar = models.OneToOneField(
        VaultEntry,
        to_field="token",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member",
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        ordering = ["family_id", "id"]
        indexes = [  # the one-person-one-family check looks people up by these
            models.Index(fields=["date_of_birth", "gender"], name="registry_member_born_gender")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["family"], condition=Q(relation="head"), name="registry_one_head"
            ),
            models.CheckConstraint(
                condition=Q(disability_percent__lte=100), name="registry_disability_le_100"
            ),
            models.CheckConstraint(condition=Q(annual_income__gte=0), name="registry_income_ge_0"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.name_en}"

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def masked_bank_account(self) -> str:
        return vault.masked_account(self.bank_account_last4)


class ChangeKind(models.TextChoices):
    ENROL = "enrol", _("New family")
    ADD_MEMBER = "add_member", _("Add a member")
    UPDATE_MEMBER = "update_member", _("Change a member's details")


class ChangeState(models.TextChoices):
    PENDING = "pending", _("Waiting for verification")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ChangeRequest(models.Model):
    """A change submitted at a kiosk; it takes effect only when a verifier approves it.

    ``payload`` holds cleaned values with Aadhaar as a vault token and the bank account
    encrypted — never a number in clear."""

    number = models.CharField(_("request number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ChangeKind.choices)
    state = models.CharField(
        _("status"), max_length=10, choices=ChangeState.choices, default=ChangeState.PENDING
    )
    district = models.ForeignKey(
        "geo.District", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    family = models.ForeignKey(
        Family, null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    payload = models.JSONField(default=dict)
    summary = models.JSONField(default=dict, help_text="What a verifier sees (masked).")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="pending") | Q(decided_at__isnull=False),
                name="registry_decided_has_time",
            )
        ]

    def __str__(self) -> str:
        return self.number


class HistoryEntry(models.Model):
    """One applied change of a family or member: who, when, before and after (masked)."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="history")
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="history"
    )
    change = models.ForeignKey(ChangeRequest, on_delete=models.PROTECT, related_name="history")
    action = models.CharField(max_length=40)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.family_id} {self.at:%Y-%m-%d}"


class Purpose(models.TextChoices):
    APPLICATION = "application", _("Fill an application form")
    SCHEMES = "schemes", _("Find schemes the family may be eligible for")
    UPDATE = "update", _("Update the family's record")


class ConsentRequest(models.Model):
    """An OTP sent to the family's registered mobile; only its HMAC is stored."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("consent OTP")
        verbose_name_plural = _("consent OTPs")

    def __str__(self) -> str:
        return f"consent OTP {self.pk} for {mask_mobile(self.family.mobile)}"


class ConsentGrant(models.Model):
    """The family's yes (by OTP): ``requester`` may read ``member`` (or any member) for
    ``purpose`` until ``expires_at``."""

    token = models.CharField(max_length=40, unique=True, default=new_grant_token)
    request = models.OneToOneField(ConsentRequest, on_delete=models.PROTECT, related_name="grant")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="grants")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"consent {self.pk} ({self.purpose})"

    def is_live(self) -> bool:
        return timezone.now() < self.expires_at


class AccessWhat(models.TextChoices):
    """What a read of a family's data showed (the family sees these labels)."""

    PREFILL = "prefill", _("A member's details for an application form")
    MEMBERS = "members", _("The list of family members")
    SCHEMES = "schemes", _("Schemes the members may be eligible for")


class AccessRecord(models.Model):
    """Every read of a family's data: who, for what purpose, when — shown to the family."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="accesses")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT)
    grant = models.ForeignKey(ConsentGrant, null=True, blank=True, on_delete=models.PROTECT)
    accessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    accessor_label = models.CharField(max_length=140)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    what = models.CharField(_("what was read"), max_length=40, choices=AccessWhat.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("access record")
        verbose_name_plural = _("access records")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.accessor_label} {self.what} {self.at:%Y-%m-%d %H:%M}"
