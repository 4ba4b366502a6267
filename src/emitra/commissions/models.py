"""One row per service payment posted from a kiosk wallet: who collected what, under which
catalog version, and how the service charge was shared (DESIGN.md §4 rule 7).

The row is written in the same database transaction as the ledger posting it describes
(`services.post_service_payment`); the ledger stays the book of record, this row is what the
monthly commission statement reads without walking journal entries.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Payer(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    DEPARTMENT = "department", _("Department")


class CommissionLine(models.Model):
    transaction = models.OneToOneField(
        "ledger.JournalTransaction",
        on_delete=models.PROTECT,
        related_name="commission_line",
        verbose_name=_("ledger transaction"),
    )
    scope = models.CharField(_("idempotency scope"), max_length=60)
    key = models.CharField(_("idempotency key"), max_length=100)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="commission_lines",
        verbose_name=_("operator"),
    )
    wallet = models.ForeignKey(
        "ledger.Account", on_delete=models.PROTECT, related_name="+", verbose_name=_("wallet")
    )
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    service_code = models.CharField(_("service code"), max_length=80)
    version = models.ForeignKey(
        "catalog.ServiceVersion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("service version"),
    )
    kiosk_category = models.CharField(_("kiosk category"), max_length=8, blank=True)
    channel = models.CharField(_("channel"), max_length=16)
    payer = models.CharField(_("commission paid by"), max_length=12, choices=Payer.choices)
    # What the wallet paid (the quote's total_citizen): fees, collected amount, charge and tax
    # when the citizen pays them.
    amount = models.BigIntegerField(_("amount collected (paise)"))
    service_charge = models.BigIntegerField(_("service charge (paise)"))
    tax = models.BigIntegerField(_("tax on the service charge (paise)"), default=0)
    kiosk_share = models.BigIntegerField(_("kiosk share (paise)"))
    lsp_share = models.BigIntegerField(_("LSP share (paise)"))
    state_share = models.BigIntegerField(_("state share (paise)"))
    priced_at = models.DateTimeField(_("priced at"))  # the quote's moment: picks the version
    at = models.DateTimeField(_("posted at"), default=timezone.now)  # the journal's time

    class Meta:
        verbose_name = _("commission line")
        verbose_name_plural = _("commission lines")
        indexes = [models.Index(fields=["operator", "at"], name="commission_operator_at")]
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="commission_idempotency"),
            models.CheckConstraint(
                condition=Q(amount__gte=0)
                & Q(service_charge__gte=0)
                & Q(tax__gte=0)
                & Q(kiosk_share__gte=0)
                & Q(lsp_share__gte=0)
                & Q(state_share__gte=0),
                name="commission_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(service_charge=F("kiosk_share") + F("lsp_share") + F("state_share")),
                name="commission_shares_sum_to_charge",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_code} · txn {self.transaction_id}"
