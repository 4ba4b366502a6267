"""The kiosk network: LSPs, their kiosks, each kiosk's history, and what citizens say about them.

A kiosk moves applied → recommended (by its LSP) → approved → trained (by the district
society) → active; an active kiosk can be suspended and reinstated, any kiosk terminated.
Every move is a conditional UPDATE on the expected status (services.py) and leaves a
KioskEvent row, which the database keeps append-only.

The operator's wallet stays keyed by the operator's user (ledger.open_operator_wallet): one
operator has one kiosk (a unique column here), so "the kiosk's wallet" is unambiguous.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LSP(models.Model):
    """A local service provider: an organisation that recruits and supervises kiosks in a
    district, logging in as one user with Role.LSP."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.PROTECT,
        related_name="lsp",
    )
    name = models.CharField(_("name"), max_length=150)
    district = models.ForeignKey(
        "geo.District", verbose_name=_("district"), on_delete=models.PROTECT, related_name="lsps"
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)

    class Meta:
        verbose_name = _("local service provider")
        verbose_name_plural = _("local service providers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class KioskType(models.TextChoices):
    ASSISTED = "assisted", _("Assisted kiosk")
    PLUS = "plus", _("e-Mitra Plus machine")
    HOME = "home", _("e-Mitra@Home agent")


class KioskCategory(models.TextChoices):
    A = "A", _("Category A")
    B = "B", _("Category B")
    C = "C", _("Category C")


class KioskStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    RECOMMENDED = "recommended", _("Recommended by the LSP")
    APPROVED = "approved", _("Approved by the district")
    TRAINED = "trained", _("Training done")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


# States in which the kiosk is still being onboarded.
ONBOARDING_STATES = (
    KioskStatus.APPLIED,
    KioskStatus.RECOMMENDED,
    KioskStatus.APPROVED,
    KioskStatus.TRAINED,
)


class Kiosk(models.Model):
    code = models.CharField(
        _("kiosk code"),
        max_length=20,
        unique=True,
        help_text=_("4 to 20 capital letters, digits or hyphens, e.g. JPR-K-0001."),
    )
    name = models.CharField(_("kiosk name"), max_length=120)
    kiosk_type = models.CharField(_("type"), max_length=10, choices=KioskType.choices)
    category = models.CharField(_("category"), max_length=1, choices=KioskCategory.choices)
    operator = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="kiosk",
    )
    lsp = models.ForeignKey(
        LSP, verbose_name=_("LSP"), on_delete=models.PROTECT, related_name="kiosks"
    )
    district = models.ForeignKey(
        "geo.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="kiosks",
    )
    block = models.ForeignKey(
        "geo.Block",
        verbose_name=_("block"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="kiosks",
    )
    gram_panchayat = models.ForeignKey(
        "geo.GramPanchayat",
        verbose_name=_("gram panchayat"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="kiosks",
    )
    urban_body = models.ForeignKey(
        "geo.UrbanBody",
        verbose_name=_("urban body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="kiosks",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=KioskStatus.choices, default=KioskStatus.APPLIED
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    activated_at = models.DateTimeField(_("first activated at"), null=True, blank=True)
    inactive_month = models.DateField(
        _("flagged inactive for the month of"),
        null=True,
        blank=True,
        help_text=_("Set by the inactivity rule: too few transactions in that month."),
    )
    offender_flagged_at = models.DateTimeField(
        _("flagged as a repeat offender at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("applied at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(gram_panchayat__isnull=False) & Q(urban_body__isnull=True))
                | (Q(gram_panchayat__isnull=True) & Q(urban_body__isnull=False)),
                name="kiosks_kiosk_gp_or_ulb",
            ),
            models.CheckConstraint(
                condition=Q(status__in=KioskStatus.values), name="kiosks_kiosk_known_status"
            ),
            models.CheckConstraint(
                condition=Q(category__in=KioskCategory.values),
                name="kiosks_kiosk_known_category",
            ),
            models.CheckConstraint(
                condition=Q(kiosk_type__in=KioskType.values), name="kiosks_kiosk_known_type"
            ),
        ]
        indexes = [models.Index(fields=["district", "status"], name="kiosks_district_status")]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def place(self) -> str:
        unit = self.gram_panchayat or self.urban_body
        return str(unit) if unit is not None else ""

    @property
    def is_active(self) -> bool:
        return self.status == KioskStatus.ACTIVE


class KioskAction(models.TextChoices):
    APPLY = "apply", _("Applied")
    RECOMMEND = "recommend", _("Recommended")
    APPROVE = "approve", _("Approved")
    TRAIN = "train", _("Training done")
    ACTIVATE = "activate", _("Activated")
    SUSPEND = "suspend", _("Suspended")
    REINSTATE = "reinstate", _("Reinstated")
    TERMINATE = "terminate", _("Terminated")
    FLAG_INACTIVE = "flag_inactive", _("Flagged inactive")
    CLEAR_INACTIVE = "clear_inactive", _("Inactivity flag cleared")
    FLAG_OFFENDER = "flag_offender", _("Flagged as a repeat offender")


class KioskEvent(models.Model):
    """One line of a kiosk's history; rows are only ever inserted (a trigger refuses the rest)."""

    kiosk = models.ForeignKey(
        Kiosk, verbose_name=_("kiosk"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("action"), max_length=16, choices=KioskAction.choices)
    from_status = models.CharField(
        _("from"), max_length=12, choices=KioskStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=KioskStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("kiosk event")
        verbose_name_plural = _("kiosk history")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kiosk_id} {self.action}"


class ComplaintCategory(models.TextChoices):
    OVERCHARGING = "overcharging", _("Overcharging")
    BEHAVIOUR = "behaviour", _("Behaviour of the operator")
    SERVICE_FAILED = "service_failed", _("The service failed")


class ComplaintState(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved (upheld)")
    REJECTED = "rejected", _("Rejected (not upheld)")


OPEN_COMPLAINT_STATES = (ComplaintState.OPEN, ComplaintState.IN_PROGRESS)


class Complaint(models.Model):
    """A citizen's complaint about one receipt's transaction, handled by the kiosk's district.

    "Resolved" means the district upheld it (and acted); "rejected" that it did not — only
    upheld complaints count toward the repeat-offender rule."""

    number = models.CharField(_("complaint number"), max_length=32, unique=True)
    receipt_number = models.CharField(_("receipt number"), max_length=40, db_index=True)
    kiosk = models.ForeignKey(
        Kiosk, verbose_name=_("kiosk"), on_delete=models.PROTECT, related_name="complaints"
    )
    district = models.ForeignKey(
        "geo.District", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("category"), max_length=16, choices=ComplaintCategory.choices)
    description = models.TextField(_("what happened"), max_length=2000, blank=True)
    contact_mobile = models.CharField(_("mobile number for a reply"), max_length=10, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=ComplaintState.choices, default=ComplaintState.OPEN
    )
    note = models.TextField(_("decision note"), max_length=2000, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_at = models.DateTimeField(_("due by"))
    created_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ComplaintState.values),
                name="kiosks_complaint_known_state",
            ),
            models.CheckConstraint(
                condition=Q(category__in=ComplaintCategory.values),
                name="kiosks_complaint_known_category",
            ),
        ]
        indexes = [models.Index(fields=["district", "state"], name="kiosks_complaint_district")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_COMPLAINT_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and timezone.now() > self.due_at


class Rating(models.Model):
    """A citizen's 1–5 rating of one receipt's transaction: one per receipt."""

    receipt_number = models.CharField(_("receipt number"), max_length=40, unique=True)
    kiosk = models.ForeignKey(
        Kiosk, verbose_name=_("kiosk"), on_delete=models.PROTECT, related_name="ratings"
    )
    stars = models.PositiveSmallIntegerField(_("rating"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("rated at"), default=timezone.now)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stars__gte=1) & Q(stars__lte=5), name="kiosks_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number}: {self.stars}"
