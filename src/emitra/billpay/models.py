"""Billers, fetched bills and bill payments (each payment is also its receipt).

A payment moves pending → success | failed | reversed, each step a conditional UPDATE on the
state it leaves, so two workers (or a worker and its own retry) can never both act. `pending`
means the wallet holds the money and the biller's word is awaited; `reversed` means the biller
never confirmed it in time, the payment was cancelled there and the hold given back. A pending
payment the biller can neither confirm nor cancel is flagged for staff (`attention_since`):
polling stops, and a state or district admin resolves it as paid or failed. The receipt number
is issued with the payment, so every attempt — also a failed one — has one.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _hindi() -> bool:
    return (get_language() or "hi").startswith("hi")


class Biller(models.Model):
    """What e-Mitra knows of a biller beyond its catalog service: how its consumers are
    numbered, what it accepts, and which adapter reaches it."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    # The catalog service (type BILL) that prices the payment; linked by code so the billers can
    # be seeded before the catalog is imported.
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        to_field="code",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="+",
    )
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_hi = models.CharField(_("name (Hindi)"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20)
    consumer_label_en = models.CharField(_("consumer number label (English)"), max_length=60)
    consumer_label_hi = models.CharField(_("consumer number label (Hindi)"), max_length=60)
    consumer_pattern = models.CharField(_("consumer number pattern"), max_length=100)
    consumer_example = models.CharField(_("example consumer number"), max_length=30)
    part_payment = models.BooleanField(
        _("part payment allowed"),
        default=False,
        help_text=_("Whether less than the bill may be paid (more never may be)."),
    )
    overpayment = models.BooleanField(
        _("more than the bill allowed"),
        default=False,
        help_text=_("Recharges and advance payments: any amount from the minimum up."),
    )
    min_amount = models.BigIntegerField(_("minimum amount (paise)"), default=100)
    adapter = models.CharField(_("adapter"), max_length=20, default="http")
    remote_code = models.CharField(_("code at the biller aggregator"), max_length=30)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("biller")
        verbose_name_plural = _("billers")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name_en

    @property
    def name(self) -> str:
        return self.name_hi if _hindi() else self.name_en

    @property
    def consumer_label(self) -> str:
        return self.consumer_label_hi if _hindi() else self.consumer_label_en

    def consumer_matches(self, consumer: str) -> bool:
        return re.fullmatch(self.consumer_pattern, consumer, flags=re.ASCII) is not None


class FetchedBill(models.Model):
    """A bill as the biller told it to an operator; a payment must follow a recent fetch."""

    biller = models.ForeignKey(Biller, on_delete=models.PROTECT, related_name="+")
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    consumer = models.CharField(_("consumer number"), max_length=30)
    customer_name = models.CharField(_("name on the bill"), max_length=120)
    bill_number = models.CharField(_("bill number"), max_length=40)
    bill_date = models.DateField(_("bill date"), null=True)
    due_date = models.DateField(_("due date"), null=True)
    amount = models.BigIntegerField(_("amount due (paise)"))
    fetched_at = models.DateTimeField(_("fetched at"), default=timezone.now)

    class Meta:
        verbose_name = _("fetched bill")
        verbose_name_plural = _("fetched bills")
        indexes = [models.Index(fields=["operator", "biller", "consumer", "-fetched_at"])]

    def __str__(self) -> str:
        return f"{self.biller_id}:{self.consumer}"


class PaymentState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCESS = "success", _("Paid")
    FAILED = "failed", _("Failed")
    REVERSED = "reversed", _("Cancelled and refunded")


FINAL_STATES = (PaymentState.SUCCESS, PaymentState.FAILED, PaymentState.REVERSED)


class AttentionReason(models.TextChoices):
    """Why a pending payment was referred to staff (the details are in its audit entry)."""

    CANCEL_UNANSWERED = "cancel_unanswered", _("The biller answered neither status nor cancel")
    HOLD_EXPIRING = "hold_expiring", _("The money's hold nears its expiry")


class BillPayment(models.Model):
    number = models.CharField(_("receipt number"), max_length=32, unique=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="bill_payments",
    )
    wallet = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="+")
    hold = models.OneToOneField("ledger.Hold", on_delete=models.PROTECT, related_name="+")
    biller = models.ForeignKey(Biller, verbose_name=_("biller"), on_delete=models.PROTECT)
    consumer = models.CharField(_("consumer number"), max_length=30)
    customer_name = models.CharField(_("name on the bill"), max_length=120, blank=True)
    bill_number = models.CharField(_("bill number"), max_length=40, blank=True)
    bill_amount = models.BigIntegerField(_("bill amount (paise)"))
    amount = models.BigIntegerField(_("amount paid to the biller (paise)"))
    service_charge = models.BigIntegerField(_("service charge (paise)"), default=0)
    total = models.BigIntegerField(_("total taken from the citizen (paise)"))
    kiosk_category = models.CharField(_("kiosk category"), max_length=1, default="A")
    priced_at = models.DateTimeField(_("priced at"))
    mobile = models.CharField(_("citizen's mobile"), max_length=10, blank=True)
    key = models.CharField(_("request key"), max_length=100)
    request_hash = models.CharField(max_length=64)
    state = models.CharField(
        _("state"), max_length=10, choices=PaymentState.choices, default=PaymentState.PENDING
    )
    biller_status = models.CharField(_("last word from the biller"), max_length=20, blank=True)
    biller_txn_id = models.CharField(_("biller transaction id"), max_length=64, blank=True)
    failure_reason = models.CharField(_("reason"), max_length=200, blank=True)
    polls = models.PositiveIntegerField(_("status checks"), default=0)
    cancel_attempts = models.PositiveIntegerField(_("cancel attempts"), default=0)
    # Set when the biller cannot tell us the outcome and could not cancel either (or the hold
    # nears its expiry): polling stops and staff resolve the payment (paid or failed).
    attention_since = models.DateTimeField(_("needs staff attention since"), null=True, blank=True)
    attention_reason = models.CharField(
        _("why staff attention is needed"),
        max_length=20,
        choices=AttentionReason.choices,
        blank=True,
    )
    deadline_at = models.DateTimeField(_("cancel if unconfirmed by"))
    journal_transaction = models.OneToOneField(
        "ledger.JournalTransaction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bill_payment",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bill payment")
        verbose_name_plural = _("bill payments")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["attention_since"],
                condition=Q(attention_since__isnull=False),
                name="billpay_needs_attention",
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["operator", "key"], name="billpay_payment_key"),
            # The same bill cannot be in flight twice, whoever pays it.
            models.UniqueConstraint(
                fields=["biller", "consumer"],
                condition=Q(state="pending"),
                name="billpay_one_pending_per_bill",
            ),
            models.CheckConstraint(
                condition=~Q(state="success") | Q(journal_transaction__isnull=False),
                name="billpay_success_is_posted",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(total__gte=models.F("amount")),
                name="billpay_amounts",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def needs_attention(self) -> bool:
        """Pending, no longer polled: staff must say whether the biller was paid."""
        return self.state == PaymentState.PENDING and self.attention_since is not None
