"""Reads of bill payments: the operator's day, one receipt, the public verification and the
receipt lookup complaints use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from emitra.accounts.models import User
from emitra.billpay.errors import PaymentNotFound
from emitra.billpay.models import Biller, BillPayment, PaymentState
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
