"""Wallet top-ups through the payment gateway, and a log of every callback the gateway sent.

A top-up moves created → pending → paid | failed. `created`: our row exists but the gateway
has not confirmed an order yet; `pending`: the gateway has the order and the operator is (or
was) on its payment page; `paid` and `failed` are final — the first final state wins, and a
later contradicting word from the gateway only flags the top-up for review. The database
refuses a paid top-up without its ledger transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TopUpState(models.TextChoices):
    CREATED = "created", _("Created")
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


OPEN_STATES = (TopUpState.CREATED, TopUpState.PENDING)
FINAL_STATES = (TopUpState.PAID, TopUpState.FAILED)


class FailureReason(models.TextChoices):
    DECLINED = "declined", _("The payment failed at the payment gateway.")
    EXPIRED = "expired", _("The payment was not completed in time.")
    NOT_SENT = "not_sent", _("The order never reached the payment gateway.")


class SettledVia(models.TextChoices):
    CALLBACK = "callback", _("Gateway callback")
    STATUS_API = "status_api", _("Status check (reconciliation)")


class TopUp(models.Model):
    number = models.CharField(_("top-up number"), max_length=32, unique=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="topups",
    )
    wallet = models.ForeignKey(
        "ledger.Account", verbose_name=_("wallet"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.BigIntegerField(_("amount (paise)"))
    key = models.CharField(
        _("request key"),
        max_length=100,
        help_text=_("The operator's idempotency key: the same form submitted twice is one top-up."),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=TopUpState.choices, default=TopUpState.CREATED
    )
    gateway_order_id = models.CharField(_("gateway order id"), max_length=64, blank=True)
    payment_url = models.CharField(_("payment page"), max_length=500, blank=True)
    gateway_status = models.CharField(
        _("last status seen at the gateway"), max_length=20, blank=True
    )
    gateway_checked_at = models.DateTimeField(_("last checked at"), null=True, blank=True)
    settled_via = models.CharField(
        _("settled via"), max_length=12, choices=SettledVia.choices, blank=True
    )
    journal_transaction = models.OneToOneField(
        "ledger.JournalTransaction",
        verbose_name=_("ledger transaction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="topup",
    )
    failure_reason = models.CharField(
        _("reason for failure"), max_length=10, choices=FailureReason.choices, blank=True
    )
    flagged = models.BooleanField(
        _("flagged for review"),
        default=False,
        help_text=_("The gateway later said something that contradicts the final state."),
    )
    flag_reason = models.CharField(_("why it is flagged"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("wallet top-up")
        verbose_name_plural = _("wallet top-ups")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["operator", "key"], name="payments_topup_key"),
            models.UniqueConstraint(
                fields=["gateway_order_id"],
                condition=~Q(gateway_order_id=""),
                name="payments_topup_gateway_order",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_topup_positive"),
            models.CheckConstraint(
                condition=Q(state__in=TopUpState.values), name="payments_topup_known_state"
            ),
            models.CheckConstraint(
                condition=~Q(state=TopUpState.PAID) | Q(journal_transaction__isnull=False),
                name="payments_topup_paid_has_transaction",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[TopUpState.PAID, TopUpState.FAILED])
                | Q(completed_at__isnull=True),
                name="payments_topup_completed_when_final",
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="payments_topup_state_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class CallbackOutcome(models.TextChoices):
    CREDITED = "credited", _("Wallet credited")
    FAILED = "failed", _("Recorded as failed")
    DUPLICATE = "duplicate", _("Duplicate (no change)")
    CONTRADICTION = "contradiction", _("Contradicts the final state (flagged)")
    AMOUNT_MISMATCH = "amount_mismatch", _("Amount differs (flagged)")
    IGNORED = "ignored", _("Not a final status (no change)")
    UNKNOWN_ORDER = "unknown_order", _("Unknown order")
    FORGED = "forged", _("Signature invalid (refused)")
    MALFORMED = "malformed", _("Malformed (refused)")
    ERROR = "error", _("Processing error")


class GatewayCallback(models.Model):
    """Every callback received, kept as it came (append-only by convention: rows are only
    inserted), whatever its fate — the trail for a dispute about a top-up."""

    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    raw_body = models.TextField(_("raw body"), blank=True)
    signature = models.CharField(_("signature"), max_length=200, blank=True)
    signature_valid = models.BooleanField(_("signature valid"))
    event_id = models.CharField(_("event id"), max_length=64, blank=True)
    order_id = models.CharField(_("gateway order id"), max_length=64, blank=True, db_index=True)
    status = models.CharField(_("status in the callback"), max_length=20, blank=True)
    topup = models.ForeignKey(
        TopUp,
        verbose_name=_("top-up"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callbacks",
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=CallbackOutcome.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("gateway callback")
        verbose_name_plural = _("gateway callbacks")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order_id or '?'} {self.status or '?'} → {self.outcome}"
