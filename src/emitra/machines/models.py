"""e-Mitra Plus machines, the cash payments taken at them and the refund vouchers they print.

A Machine is a kiosk of type "plus"; it signs in with its own device token (only a hash is
kept), never with a person's login. A CashPayment follows one citizen's cash from escrow to a
paid bill — or to a refund voucher when the cash was taken but the service failed.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Machine(models.Model):
    kiosk = models.OneToOneField(
        "kiosks.Kiosk", verbose_name=_("kiosk"), on_delete=models.PROTECT, related_name="machine"
    )
    token_hash = models.CharField(_("device token hash"), max_length=64, unique=True)
    token_hint = models.CharField(_("device token starts with"), max_length=8)
    last_seen_at = models.DateTimeField(_("last seen at"), null=True, blank=True)
    device_states = models.JSONField(_("device states"), default=dict, blank=True)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)

    class Meta:
        verbose_name = _("e-Mitra Plus machine")
        verbose_name_plural = _("e-Mitra Plus machines")
        ordering = ["kiosk__code"]

    def __str__(self) -> str:
        return str(self.kiosk.code)

    @property
    def code(self) -> str:
        return str(self.kiosk.code)


class CashState(models.TextChoices):
    COLLECTING = "collecting", _("Taking cash")
    RETURNED = "returned", _("Cash returned")
    PAYING = "paying", _("Paying the bill")
    PAID = "paid", _("Paid")
    VOUCHERED = "vouchered", _("Refund voucher issued")


class CashPayment(models.Model):
    """One citizen's cash payment of one bill at a machine."""

    key = models.CharField(_("key"), max_length=40, unique=True)
    machine = models.ForeignKey(
        Machine, verbose_name=_("machine"), on_delete=models.PROTECT, related_name="payments"
    )
    biller = models.ForeignKey(
        "billpay.Biller", verbose_name=_("biller"), on_delete=models.PROTECT, related_name="+"
    )
    consumer = models.CharField(_("consumer number"), max_length=40)
    amount = models.BigIntegerField(_("bill amount (paise)"))
    total = models.BigIntegerField(_("to pay (paise)"))
    stacked = models.BigIntegerField(_("cash taken (paise)"), default=0)
    state = models.CharField(
        _("state"), max_length=12, choices=CashState.choices, default=CashState.COLLECTING
    )
    payment = models.OneToOneField(
        "billpay.BillPayment",
        verbose_name=_("bill payment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="machine_cash",
    )
    fault = models.CharField(_("fault"), max_length=200, blank=True)
    printed_at = models.DateTimeField(_("receipt printed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("machine cash payment")
        verbose_name_plural = _("machine cash payments")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=CashState.values), name="machines_cash_known_state"
            ),
            models.CheckConstraint(condition=Q(stacked__gte=0), name="machines_cash_stacked"),
        ]

    def __str__(self) -> str:
        return self.key


class VoucherPurpose(models.TextChoices):
    REFUND = "refund", _("Refund: the service failed")
    CHANGE = "change", _("Change: more cash than the amount due")


class RefundVoucher(models.Model):
    """Cash the machine kept without giving the service (or change it cannot give): owed to
    the bearer, recorded in the ledger (wallet → refund vouchers payable)."""

    number = models.CharField(_("voucher number"), max_length=32, unique=True)
    cash_payment = models.ForeignKey(
        CashPayment,
        verbose_name=_("cash payment"),
        on_delete=models.PROTECT,
        related_name="vouchers",
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=VoucherPurpose.choices)
    amount = models.BigIntegerField(_("amount (paise)"))
    reason = models.CharField(_("reason"), max_length=200)
    journal_transaction_id = models.BigIntegerField(_("journal transaction"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    redeemed_at = models.DateTimeField(_("redeemed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund voucher")
        verbose_name_plural = _("refund vouchers")
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="machines_voucher_positive"),
            models.UniqueConstraint(
                fields=["cash_payment", "purpose"], name="machines_voucher_once_per_purpose"
            ),
        ]

    def __str__(self) -> str:
        return self.number
