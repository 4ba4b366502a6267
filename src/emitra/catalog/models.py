"""The service catalog: departments (with revenue heads and settlement details), categories,
services, and the effective-dated versions that carry everything affecting money or process.

A service's identity and its public description live on ``Service``; its fees, form, workflow
reference and commission rule live on ``ServiceVersion`` rows whose effective ranges never
overlap (validated in ``services``, enforced by triggers on SQLite and an exclusion constraint
on PostgreSQL — see migration 0002). A published version is never edited in place: a change is
a new version from a future date, so a past transaction is always explained by the version in
force when it happened. The rate card (DESIGN.md §4) is effective-dated the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

BASIS_POINTS = 10_000  # 100.00 %


def _hindi() -> bool:
    return (get_language() or "hi").startswith("hi")


class Bilingual:
    """``name``/``description``/``eligibility`` in the language of the current request."""

    @property
    def name(self) -> str:
        hindi = str(getattr(self, "name_hi", ""))
        return hindi if _hindi() and hindi else str(getattr(self, "name_en", ""))


class DepartmentKind(models.TextChoices):
    DEPARTMENT = "department", _("Government department")
    BOARD = "board", _("Board, corporation or company")
    UNIVERSITY = "university", _("University")
    LOCAL_BODY = "local_body", _("Urban or rural local body")
    PARTNER = "partner", _("B2C partner")


class SettlementMode(models.TextChoices):
    GRAS = "gras", _("Treasury, by GRAS challan against the budget head")
    BANK = "bank", _("Bank account (NEFT/RTGS)")


class Department(Bilingual, models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=150)
    name_hi = models.CharField(_("name (Hindi)"), max_length=150)
    is_active = models.BooleanField(_("active"), default=True)
    kind = models.CharField(
        _("kind"), max_length=12, choices=DepartmentKind.choices, default=DepartmentKind.DEPARTMENT
    )
    settlement_mode = models.CharField(
        _("settlement"), max_length=8, choices=SettlementMode.choices, default=SettlementMode.GRAS
    )
    settlement_bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    settlement_ifsc = models.CharField(_("IFSC"), max_length=11, blank=True)
    settlement_account_number = models.CharField(
        _("account number"),
        max_length=20,
        blank=True,
        help_text=_("Entered in the back office; never shipped in the catalog file."),
    )
    settlement_cycle_days = models.PositiveSmallIntegerField(
        _("settlement cycle (days)"), default=1, help_text=_("T+n: days after collection.")
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name_en"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DepartmentKind.values), name="catalog_department_kind"
            ),
            models.CheckConstraint(
                condition=Q(settlement_mode__in=SettlementMode.values),
                name="catalog_department_settlement_mode",
            ),
        ]

    def __str__(self) -> str:
        return self.name


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


class RevenueHead(Bilingual, models.Model):
    """Where a government fee goes: the ledger credits one account per head."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="revenue_heads",
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=150)
    name_hi = models.CharField(_("name (Hindi)"), max_length=150)
    budget_head = models.CharField(
        _("budget head"), max_length=30, blank=True, help_text=_("e.g. 0029 (Land Revenue)")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("revenue head")
        verbose_name_plural = _("revenue heads")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Category(Bilingual, models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_hi = models.CharField(_("name (Hindi)"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "name_en"]

    def __str__(self) -> str:
        return self.name


class DocumentType(Bilingual, models.Model):
    """A kind of document a citizen brings (Aadhaar card, ration card, affidavit …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=150)
    name_hi = models.CharField(_("name (Hindi)"), max_length=150)

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name


class ServiceType(models.TextChoices):
    G2C = "G2C", _("Government to citizen")
    G2B = "G2B", _("Government to business")
    B2C = "B2C", _("Business to consumer")
    BILL = "BILL", _("Bill payment")
    INFO = "INFO", _("Information")


class Channel(models.TextChoices):
    KIOSK = "kiosk", _("e-Mitra kiosk")
    MACHINE = "machine", _("e-Mitra Plus machine")
    HOME = "home", _("e-Mitra@Home")
    PORTAL = "portal", _("Citizen portal")
    APP = "app", _("Mobile app")


# Channels where a kiosk operator does the work and earns the kiosk share of the charge.
OPERATOR_CHANNELS = frozenset({Channel.KIOSK, Channel.HOME})


class ServiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Offered")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Service(Bilingual, models.Model):
    code = models.SlugField(
        _("code"),
        max_length=60,
        unique=True,
        help_text=_("Stable identifier used by transactions, reports and partners."),
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="services"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="services"
    )
    service_type = models.CharField(_("type"), max_length=4, choices=ServiceType.choices)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_hi = models.CharField(_("name (Hindi)"), max_length=200)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_hi = models.TextField(_("description (Hindi)"), blank=True)
    eligibility_en = models.TextField(_("eligibility (English)"), blank=True)
    eligibility_hi = models.TextField(_("eligibility (Hindi)"), blank=True)
    sla_days = models.PositiveSmallIntegerField(
        _("time limit (days)"),
        null=True,
        blank=True,
        help_text=_(
            "Days to deliver under the Guaranteed Delivery of Public Services Act; "
            "empty for instant services."
        ),
    )
    channels = models.JSONField(_("channels"), default=list)
    keywords = models.JSONField(
        _("search keywords"),
        default=list,
        blank=True,
        help_text=_("Other names people use, in any script (e.g. “jati praman patra”)."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ServiceStatus.choices, default=ServiceStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name_en"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service_type__in=ServiceType.values), name="catalog_service_type"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ServiceStatus.values), name="catalog_service_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def description(self) -> str:
        return self.description_hi if _hindi() and self.description_hi else self.description_en

    @property
    def eligibility(self) -> str:
        return self.eligibility_hi if _hindi() and self.eligibility_hi else self.eligibility_en

    @property
    def channel_labels(self) -> list[str]:
        return [str(Channel(c).label) for c in self.channels if c in Channel.values]


class ServiceDocument(models.Model):
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="documents"
    )
    document_type = models.ForeignKey(
        DocumentType, verbose_name=_("document"), on_delete=models.PROTECT, related_name="+"
    )
    mandatory = models.BooleanField(_("mandatory"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "document_type"], name="catalog_service_document_once"
            )
        ]

    def __str__(self) -> str:
        return str(self.document_type)


# --- commission splits ---------------------------------------------------------------------

KIOSK_CATEGORIES = ("A", "B", "C")


@dataclass(frozen=True)
class Split:
    """Shares of a service charge in basis points (10000 = 100 %)."""

    kiosk: int
    lsp: int
    state: int


def split_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(
                **{
                    f"kiosk_{c.lower()}_bp__gte": 0,
                    f"lsp_{c.lower()}_bp__gte": 0,
                    f"state_{c.lower()}_bp__gte": 0,
                }
            )
            & Q(
                **{
                    f"state_{c.lower()}_bp": BASIS_POINTS
                    - models.F(f"kiosk_{c.lower()}_bp")
                    - models.F(f"lsp_{c.lower()}_bp")
                }
            ),
            name=f"{prefix}_split_{c.lower()}_sums_to_100",
        )
        for c in KIOSK_CATEGORIES
    ]


class CommissionSplitFields(models.Model):
    """Kiosk, LSP and state shares for each kiosk category; each category sums to 100 %."""

    kiosk_a_bp = models.PositiveIntegerField(_("kiosk share, category A (bp)"), default=8000)
    lsp_a_bp = models.PositiveIntegerField(_("LSP share, category A (bp)"), default=800)
    state_a_bp = models.PositiveIntegerField(_("state share, category A (bp)"), default=1200)
    kiosk_b_bp = models.PositiveIntegerField(_("kiosk share, category B (bp)"), default=7700)
    lsp_b_bp = models.PositiveIntegerField(_("LSP share, category B (bp)"), default=800)
    state_b_bp = models.PositiveIntegerField(_("state share, category B (bp)"), default=1500)
    kiosk_c_bp = models.PositiveIntegerField(_("kiosk share, category C (bp)"), default=7000)
    lsp_c_bp = models.PositiveIntegerField(_("LSP share, category C (bp)"), default=800)
    state_c_bp = models.PositiveIntegerField(_("state share, category C (bp)"), default=2200)

    class Meta:
        abstract = True

    def split(self, kiosk_category: str) -> Split:
        c = kiosk_category.lower()
        return Split(
            kiosk=int(getattr(self, f"kiosk_{c}_bp")),
            lsp=int(getattr(self, f"lsp_{c}_bp")),
            state=int(getattr(self, f"state_{c}_bp")),
        )

    def splits(self) -> dict[str, Split]:
        return {c: self.split(c) for c in KIOSK_CATEGORIES}


class CommissionRule(Bilingual, CommissionSplitFields):
    """A named split that a service version may use instead of the rate card's default
    (B2C partners, schemes with their own terms). Never edited once a published version
    uses it: the state admin makes a new rule and a new version."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=150)
    name_hi = models.CharField(_("name (Hindi)"), max_length=150)

    class Meta:
        verbose_name = _("commission rule")
        verbose_name_plural = _("commission rules")
        ordering = ["code"]
        constraints = split_constraints("catalog_commissionrule")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class PublishStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class EffectiveDated(models.Model):
    """[effective_from, effective_to): the end is exclusive; no end means "until changed"."""

    status = models.CharField(
        _("status"), max_length=10, choices=PublishStatus.choices, default=PublishStatus.DRAFT
    )
    effective_from = models.DateTimeField(_("in force from"))
    effective_to = models.DateTimeField(_("in force until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

    def in_force_at(self, moment: datetime) -> bool:
        return self.effective_from <= moment and (
            self.effective_to is None or moment < self.effective_to
        )

    @property
    def is_published(self) -> bool:
        return self.status == PublishStatus.PUBLISHED


def range_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(effective_to__isnull=True) | Q(effective_to__gt=models.F("effective_from")),
            name=f"{prefix}_range_not_empty",
        ),
        models.CheckConstraint(
            condition=Q(status__in=PublishStatus.values), name=f"{prefix}_status"
        ),
    ]


class RateCard(CommissionSplitFields, EffectiveDated):
    """The state's public rate list (DESIGN.md §4) and the default commission split."""

    g2c_application_charge = models.BigIntegerField(_("G2C application (paise)"), default=50_00)
    g2b_application_charge = models.BigIntegerField(_("G2B application (paise)"), default=100_00)
    collection_base_charge = models.BigIntegerField(
        _("fee/bill collection: charge up to the limit (paise)"), default=10_00
    )
    collection_base_limit = models.BigIntegerField(
        _("fee/bill collection: limit (paise)"), default=2_000_00
    )
    collection_step_charge = models.BigIntegerField(
        _("fee/bill collection: charge per further step (paise)"), default=2_00
    )
    collection_step_size = models.BigIntegerField(
        _("fee/bill collection: step (paise)"), default=1_000_00
    )
    certificate_print_charge = models.BigIntegerField(
        _("signed certificate print, per page (paise)"), default=20_00
    )
    pvc_card_charge = models.BigIntegerField(_("PVC card (paise)"), default=30_00)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("rate card")
        verbose_name_plural = _("rate cards")
        ordering = ["-effective_from"]
        constraints = [
            *split_constraints("catalog_ratecard"),
            *range_constraints("catalog_ratecard"),
            models.CheckConstraint(
                condition=Q(
                    g2c_application_charge__gte=0,
                    g2b_application_charge__gte=0,
                    collection_base_charge__gte=0,
                    collection_base_limit__gte=0,
                    collection_step_charge__gte=0,
                    collection_step_size__gt=0,
                    certificate_print_charge__gte=0,
                    pvc_card_charge__gte=0,
                ),
                name="catalog_ratecard_amounts_valid",
            ),
            models.UniqueConstraint(
                fields=["effective_from"],
                condition=Q(status="published"),
                name="catalog_ratecard_one_per_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Rate card')} {self.effective_from:%Y-%m-%d} ({self.get_status_display()})"


class ChargeRule(models.TextChoices):
    """Which line of the rate card sets a version's service charge."""

    G2C_APPLICATION = "g2c_application", _("G2C application")
    G2B_APPLICATION = "g2b_application", _("G2B application")
    COLLECTION = "collection", _("Fee or bill collection (slab on the amount)")
    BILL_DEPARTMENT_PAID = (
        "bill_department_paid",
        _("Bill free to the citizen; the department pays the commission"),
    )
    CERTIFICATE_PRINT = "certificate_print", _("Signed certificate print (per page)")
    PVC_CARD = "pvc_card", _("PVC card")
    FIXED = "fixed", _("Fixed charge set on the version")
    FREE = "free", _("No service charge")


class ServiceVersion(EffectiveDated):
    """Everything about a service that affects money or process, for one effective range."""

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    charge_rule = models.CharField(_("service charge"), max_length=24, choices=ChargeRule.choices)
    service_charge = models.BigIntegerField(
        _("fixed service charge (paise)"), default=0, help_text=_("Only for a fixed charge.")
    )
    collects_amount = models.BooleanField(
        _("collects an amount"),
        default=False,
        help_text=_("A bill or a fee whose amount is entered at the counter."),
    )
    collection_head = models.ForeignKey(
        RevenueHead,
        verbose_name=_("head for the collected amount"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    tax_rate_bp = models.PositiveIntegerField(
        _("GST on the service charge (bp)"), default=0, help_text=_("1800 = 18 %")
    )
    commission_rule = models.ForeignKey(
        CommissionRule,
        verbose_name=_("commission rule"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="versions",
        help_text=_("Empty: the rate card's default split."),
    )
    form_ref = models.CharField(_("form"), max_length=60, blank=True)
    form_schema = models.JSONField(_("form (JSON Schema)"), default=dict, blank=True)
    workflow_ref = models.CharField(_("workflow"), max_length=60, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("service version")
        verbose_name_plural = _("service versions")
        ordering = ["service", "number"]
        constraints = [
            *range_constraints("catalog_serviceversion"),
            models.UniqueConstraint(
                fields=["service", "number"], name="catalog_serviceversion_number_once"
            ),
            models.UniqueConstraint(
                fields=["service", "effective_from"],
                condition=Q(status="published"),
                name="catalog_serviceversion_one_per_start",
            ),
            models.CheckConstraint(
                condition=Q(charge_rule__in=ChargeRule.values),
                name="catalog_serviceversion_charge_rule",
            ),
            models.CheckConstraint(
                condition=Q(service_charge__gte=0, tax_rate_bp__lte=BASIS_POINTS),
                name="catalog_serviceversion_amounts_valid",
            ),
            models.CheckConstraint(
                condition=Q(collects_amount=False) | Q(collection_head__isnull=False),
                name="catalog_serviceversion_collection_has_head",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} v{self.number}"

    def money_fields(self) -> dict[str, Any]:
        """What a published version may never change (compared on import)."""
        return {
            "charge_rule": self.charge_rule,
            "service_charge": self.service_charge,
            "collects_amount": self.collects_amount,
            "collection_head": self.collection_head.code if self.collection_head else None,
            "tax_rate_bp": self.tax_rate_bp,
            "commission_rule": self.commission_rule.code if self.commission_rule else None,
            "fees": [(fee.revenue_head.code, fee.amount) for fee in self.fees.all()],
            "form_schema": self.form_schema,
            "workflow_ref": self.workflow_ref,
        }


class VersionFee(models.Model):
    """A fixed government fee of a version, credited to one revenue head."""

    version = models.ForeignKey(
        ServiceVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="fees"
    )
    revenue_head = models.ForeignKey(
        RevenueHead, verbose_name=_("revenue head"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.BigIntegerField(_("amount (paise)"))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("government fee")
        verbose_name_plural = _("government fees")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="catalog_versionfee_amount"),
            models.UniqueConstraint(
                fields=["version", "revenue_head"], name="catalog_versionfee_head_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.revenue_head.code}: {self.amount}"
