"""Reads of bill payments: the operator's day, one receipt, the public verification, the
receipt lookup complaints use, and the payments referred to staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.billpay.errors import PaymentNotFound
from emitra.billpay.models import AttentionReason, Biller, BillPayment, PaymentState
from emitra.core.timeutil import IST


def active_billers() -> list[Biller]:
    """Billers an operator can pay now (their catalog service imported: an inner join)."""
    return list(
        Biller.objects.select_related("service").filter(is_active=True).order_by("kind", "code")
    )


def today_ist() -> date:
    return timezone.now().astimezone(IST).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=IST)
    return start, start + timedelta(days=1)


def payments_of(
    operator: User, *, day: date | None = None, state: str = "", biller: str = ""
) -> QuerySet[BillPayment]:
    """The operator's payments of one IST day (today by default), newest first."""
    start, end = day_bounds(day or today_ist())
    rows = BillPayment.objects.filter(
        operator=operator, created_at__gte=start, created_at__lt=end
    ).select_related("biller")
    if state in PaymentState.values:
        rows = rows.filter(state=state)
    if biller:
        rows = rows.filter(biller__code=biller)
    return rows.order_by("-created_at", "-id")


def payment_of(operator: User, number: str) -> BillPayment:
    """One of the operator's own receipts; another's is as unknown as a missing one."""
    payment = (
        BillPayment.objects.select_related("biller", "operator")
        .filter(number=number, operator=operator)
        .first()
    )
    if payment is None:
        raise PaymentNotFound()
    return payment


def states_of(operator: User, numbers: list[str]) -> list[BillPayment]:
    return list(
        BillPayment.objects.filter(operator=operator, number__in=numbers[:100]).only(
            "number", "state", "biller_txn_id", "completed_at", "failure_reason"
        )
    )


def find_receipt(number: str) -> BillPayment | None:
    return (
        BillPayment.objects.select_related("biller", "operator")
        .filter(number=(number or "").strip().upper())
        .first()
    )


@dataclass(frozen=True)
class ReceiptFields:
    """What a complaint needs to name a receipt (the kiosks app wraps it in its ReceiptRef)."""

    number: str
    operator_id: int
    service_name_en: str
    service_name_hi: str
    amount: int
    issued_at: datetime


def receipt_ref(number: str) -> ReceiptFields | None:
    """The receipt `number` as complaints refer to it, or None if it is not a bill receipt."""
    payment = find_receipt(number)
    if payment is None:
        return None
    return ReceiptFields(
        number=payment.number,
        operator_id=payment.operator_id,
        service_name_en=payment.biller.name_en,
        service_name_hi=payment.biller.name_hi,
        amount=payment.total,
        issued_at=payment.created_at,
    )


# --- payments referred to staff ----------------------------------------------------------------


@dataclass(frozen=True)
class AttentionFilters:
    biller: str = ""
    reason: str = ""
    district: str = ""  # a district's slug; the state admin's filter only
    q: str = ""  # a receipt or consumer number


def visible_attention(user: User) -> QuerySet[BillPayment]:
    """Payments needing staff attention that `user` may resolve: the state admin all, a
    district admin those taken at kiosks of their district (online payments are the state's)."""
    rows = BillPayment.objects.filter(
        state=PaymentState.PENDING, attention_since__isnull=False
    ).select_related("biller", "operator", "operator__kiosk", "operator__kiosk__district", "hold")
    if user.role == Role.STATE_ADMIN:
        return rows
    if user.role == Role.DISTRICT_ADMIN and user.district_id is not None:
        return rows.filter(operator__kiosk__district_id=user.district_id)
    return rows.none()


def needing_attention(user: User, filters: AttentionFilters) -> QuerySet[BillPayment]:
    """The staff list, oldest referral first (the nearest hold expiry)."""
    rows = visible_attention(user)
    if filters.biller:
        rows = rows.filter(biller__code=filters.biller)
    if filters.reason in AttentionReason.values:
        rows = rows.filter(attention_reason=filters.reason)
    if filters.district and user.role == Role.STATE_ADMIN:
        rows = rows.filter(operator__kiosk__district__slug=filters.district)
    if filters.q:
        q = filters.q.strip().upper()[:32]
        rows = rows.filter(Q(number=q) | Q(consumer=q))
    return rows.order_by("attention_since", "id")


def attention_of(user: User, number: str) -> BillPayment | None:
    """One payment needing attention, if `user` may see it."""
    return visible_attention(user).filter(number=(number or "").strip().upper()[:32]).first()
