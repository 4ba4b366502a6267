"""What a citizen pays online: a bill (OnlineBill → billpay's saga) or an application's fee
(OnlineFee → the application filed), each a gateway order that collects the money first.

An order moves created → pending → paid | failed | refunded. `created`: our row exists,
the gateway has not confirmed an order yet; `pending`: the citizen is (or was) on the
gateway's page; `paid`: the money arrived (gateway clearing → the citizen's online account)
and the bill payment was started — its own state tells whether the biller took it (a biller
failure is refunded by billpay); `failed`: the gateway never collected; `refunded`: the money
arrived but the bill could not be started (someone else was paying it) or the application
could not be filed (the service changed meanwhile), so it is owed back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OnlineState(models.TextChoices):
    CREATED = "created", _("Created")
    PENDING = "pending", _("Awaiting payment")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Payment failed")
    REFUNDED = "refunded", _("Refund due")


OPEN_STATES = (OnlineState.CREATED, OnlineState.PENDING)
FINAL_STATES = (OnlineState.PAID, OnlineState.FAILED, OnlineState.REFUNDED)


class GatewayOrder(models.Model):
    """What every order the portal sends to the payment gateway has: our number and the
    citizen's request key, the gateway's order and page, the state and its reason."""

    number = models.CharField(_("order number"), max_length=32, unique=True)
    total = models.BigIntegerField(_("total paid online (paise)"))
    mobile = models.CharField(_("mobile number"), max_length=10, blank=True)
    key = models.CharField(_("request key"), max_length=100)
    state = models.CharField(
        _("state"), max_length=10, choices=OnlineState.choices, default=OnlineState.CREATED
    )
    gateway_order_id = models.CharField(_("gateway order id"), max_length=64, blank=True)
    payment_url = models.CharField(_("payment page"), max_length=500, blank=True)
    gateway_status = models.CharField(_("last status at the gateway"), max_length=20, blank=True)
    failure_reason = models.CharField(_("reason"), max_length=200, blank=True)
    flagged = models.BooleanField(_("flagged for review"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class OnlineBill(GatewayOrder):
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("citizen"),
        on_delete=models.PROTECT,
        related_name="online_bills",
    )
    fetched = models.ForeignKey(
        "billpay.FetchedBill", verbose_name=_("bill"), on_delete=models.PROTECT, related_name="+"
    )
    biller = models.ForeignKey(
        "billpay.Biller", verbose_name=_("biller"), on_delete=models.PROTECT, related_name="+"
    )
    consumer = models.CharField(_("consumer number"), max_length=30)
    amount = models.BigIntegerField(_("amount for the biller (paise)"))
    bill_payment = models.OneToOneField(
        "billpay.BillPayment",
        verbose_name=_("receipt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="online_bill",
    )

    class Meta:
        verbose_name = _("online bill payment")
        verbose_name_plural = _("online bill payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["citizen", "key"], name="portal_online_bill_key"),
            models.UniqueConstraint(
                fields=["gateway_order_id"],
                condition=~Q(gateway_order_id=""),
                name="portal_online_bill_gateway_order",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(total__gte=models.F("amount")),
                name="portal_online_bill_amounts",
            ),
            models.CheckConstraint(
                condition=~Q(state="paid") | Q(bill_payment__isnull=False),
                name="portal_online_bill_paid_has_receipt",
            ),
        ]


class OnlineFee(GatewayOrder):
    """An application a citizen filed on the portal whose fee is being paid online. The form
    and its documents (already checked and kept) wait here; once the gateway says *paid* the
    application is filed with them and the fee taken from what the gateway collected — or,
    if it can no longer be filed, the money is owed back (state refunded)."""

    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("citizen"),
        on_delete=models.PROTECT,
        related_name="online_fees",
    )
    service = models.ForeignKey(
        "catalog.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    service_version = models.ForeignKey(
        "catalog.ServiceVersion",
        verbose_name=_("service version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    form_data = models.JSONField(_("form"), default=dict)
    documents = models.JSONField(_("documents (slot → document id)"), default=dict)
    application = models.OneToOneField(
        "applications.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="online_fee",
    )

    class Meta:
        verbose_name = _("online application fee")
        verbose_name_plural = _("online application fees")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["citizen", "key"], name="portal_online_fee_key"),
            models.UniqueConstraint(
                fields=["gateway_order_id"],
                condition=~Q(gateway_order_id=""),
                name="portal_online_fee_gateway_order",
            ),
            models.CheckConstraint(condition=Q(total__gt=0), name="portal_online_fee_total"),
            models.CheckConstraint(
                condition=~Q(state="paid") | Q(application__isnull=False),
                name="portal_online_fee_paid_has_application",
            ),
        ]
