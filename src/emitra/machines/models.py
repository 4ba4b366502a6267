"""e-Mitra Plus machines, the cash payments taken at them and the refund vouchers they print.

A Machine is a kiosk of type "plus"; it signs in with its own device token (only a hash is
kept), never with a person's login. A CashPayment follows one citizen's payment — cash from
escrow, or one card charge — to a paid bill, or to a refund voucher when the money was taken
but the service failed. A voucher is paid out once, in cash, at a kiosk counter.
"""

from __future__ import annotations

from django.conf import settings
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
    CHARGING = "charging", _("Charging the card")
    RETURNED = "returned", _("Cash returned")
    PAYING = "paying", _("Paying the bill")
    PAID = "paid", _("Paid")
    VOUCHERED = "vouchered", _("Refund voucher issued")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")


class CashPayment(models.Model):
    """One citizen's payment of one bill at a machine, in cash or by card (the name is older
    than the card reader)."""

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
    method = models.CharField(
        _("paid by"), max_length=4, choices=PaymentMethod.choices, default=PaymentMethod.CASH
    )
    charged = models.BigIntegerField(_("card charged (paise)"), default=0)
    credited = models.BigIntegerField(_("paid by refund voucher (paise)"), default=0)
    card_auth = models.CharField(_("card authorisation code"), max_length=20, blank=True)
    card_attempts = models.PositiveSmallIntegerField(_("card attempts"), default=0)
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
            models.CheckConstraint(condition=Q(charged__gte=0), name="machines_card_charged"),
            models.CheckConstraint(condition=Q(credited__gte=0), name="machines_voucher_credited"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def due(self) -> int:
        """What is still to pay in cash or by card, after any refund voucher."""
        return max(0, self.total - self.credited)


class VoucherPurpose(models.TextChoices):
    REFUND = "refund", _("Refund: the service failed")
    CHANGE = "change", _("Change: more cash than the amount due")


class RefundVoucher(models.Model):
    """Money the machine kept without giving the service (or change it cannot give): owed to
    the bearer, recorded in the ledger (wallet → refund vouchers payable). Open while
    `redeemed_at` is empty; used once: paid out in cash at a counter (vouchers payable → the
    operator's wallet) or applied to a bill at a machine (vouchers payable → its wallet).
    It is paid out on its random `code`, never on its number alone: numbers are gapless, so
    anyone could guess one."""

    number = models.CharField(_("voucher number"), max_length=32, unique=True)
    code = models.CharField(
        _("redemption code"),
        max_length=12,
        unique=True,
        help_text=_("Twelve random digits printed on the voucher; asked for when it is used."),
    )
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
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid out by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    applied_to = models.ForeignKey(
        CashPayment,
        verbose_name=_("used to pay"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applied_vouchers",
    )
    redemption_transaction_id = models.BigIntegerField(
        _("pay-out journal transaction"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("refund voucher")
        verbose_name_plural = _("refund vouchers")
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="machines_voucher_positive"),
            models.UniqueConstraint(
                fields=["cash_payment", "purpose"], name="machines_voucher_once_per_purpose"
            ),
            models.CheckConstraint(
                condition=Q(redeemed_at__isnull=True)
                | Q(redeemed_by__isnull=False)
                | Q(applied_to__isnull=False),
                name="machines_voucher_redeemed_somewhere",
            ),
        ]

    def __str__(self) -> str:
        return self.number
