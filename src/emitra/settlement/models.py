"""Daily department settlements and the mismatches reconciliation finds.

A Settlement is one department's IST day: the ledger journal that moved the day's revenue-head
credits to the department's settlement payable account, and the file (CSV) sent with it.
A Mismatch is one disagreement between our books and a partner's report (the payment
gateway's settlement file, a biller's report), open until the state admin resolves it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Settlement(models.Model):
    number = models.CharField(_("settlement number"), max_length=32, unique=True)
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="settlements",
    )
    day = models.DateField(_("day (IST)"))
    total = models.BigIntegerField(_("total (paise)"))
    head_totals = models.JSONField(
        _("totals per revenue head (paise)"),
        default=dict,
        help_text=_("Revenue-head account code → amount moved, in paise."),
    )
    transaction_count = models.PositiveIntegerField(_("transactions"), default=0)
    journal_transaction = models.OneToOneField(
        "ledger.JournalTransaction",
        verbose_name=_("ledger transaction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="settlement",
        help_text=_("Empty for a day with nothing to settle."),
    )
    file_csv = models.TextField(_("settlement file (CSV)"))
    file_checksum = models.CharField(_("file checksum (SHA-256)"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["-day", "department__code"]
        constraints = [
            models.UniqueConstraint(fields=["department", "day"], name="settlement_once_a_day"),
            models.CheckConstraint(
                condition=Q(total=0) | Q(journal_transaction__isnull=False),
                name="settlement_money_has_transaction",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def file_name(self) -> str:
        return f"{self.number}.csv"


class Source(models.TextChoices):
    GATEWAY = "gateway", _("Payment gateway")
    BILLER = "biller", _("Biller")


class MismatchKind(models.TextChoices):
    MISSING_OURS = "missing_ours", _("Paid at the partner, not credited by us")
    MISSING_THEIRS = "missing_theirs", _("Credited by us, absent from the partner's report")
    FAILED_THEIRS = "failed_theirs", _("Credited by us, failed at the partner")
    AMOUNT = "amount", _("Amounts differ")
    DUPLICATE = "duplicate", _("Reported more than once by the partner")


class MismatchState(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class Mismatch(models.Model):
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    partner = models.CharField(
        _("partner"), max_length=40, blank=True, help_text=_("The biller's code.")
    )
    day = models.DateField(_("day (IST)"))
    reference = models.CharField(_("reference"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=MismatchKind.choices)
    ours = models.BigIntegerField(_("our amount (paise)"), null=True, blank=True)
    theirs = models.BigIntegerField(_("their amount (paise)"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    order_kind = models.CharField(
        _("order kind"),
        max_length=20,
        blank=True,
        help_text=_("Which kind of our gateway orders the mismatch concerns; empty if none."),
    )
    order_pk = models.BigIntegerField(_("order id"), null=True, blank=True)
    topup = models.ForeignKey(
        "payments.TopUp",
        verbose_name=_("top-up"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Kept for a top-up's mismatch: its status can be checked at the gateway."),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=MismatchState.choices, default=MismatchState.OPEN
    )
    resolution_note = models.CharField(_("resolution note"), max_length=500, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("found at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("reconciliation mismatch")
        verbose_name_plural = _("reconciliation mismatches")
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "partner", "day", "reference", "kind"],
                name="settlement_mismatch_once",
            ),
            models.CheckConstraint(
                condition=Q(state="open") | Q(resolved_at__isnull=False),
                name="settlement_mismatch_resolved_has_time",
            ),
            models.CheckConstraint(
                condition=Q(order_kind="", order_pk__isnull=True)
                | (~Q(order_kind="") & Q(order_pk__isnull=False)),
                name="settlement_mismatch_order_named",
            ),
            models.CheckConstraint(
                condition=Q(topup__isnull=True) | Q(order_kind="topup", order_pk=F("topup")),
                name="settlement_mismatch_topup_is_its_order",
            ),
        ]
        indexes = [models.Index(fields=["state", "day"], name="settlement_mismatch_state_idx")]

    def __str__(self) -> str:
        return f"{self.source} {self.day} {self.reference} {self.kind}"


class ReconciliationRun(models.Model):
    """One comparison of a partner's report for a day with our books (the file's trail)."""

    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    partner = models.CharField(_("partner"), max_length=40, blank=True)
    day = models.DateField(_("day (IST)"))
    rows = models.PositiveIntegerField(_("rows in the report"))
    mismatches = models.PositiveIntegerField(_("mismatches found"))
    file_checksum = models.CharField(_("report checksum (SHA-256)"), max_length=64)
    ran_at = models.DateTimeField(_("ran at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.partner} {self.day}"
