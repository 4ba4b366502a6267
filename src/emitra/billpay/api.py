"""The kiosk's JSON API for bills (mounted at /api/v1/bills/): billers, fetch, pay (an
Idempotency-Key header is required; it is also the payment's own key), a payment's status, the
day's payments (paged). A bearer token or the session (CSRF checked); only kiosk operators.
Errors use the API's one envelope {"error": {"code", "message"}}."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.apitokens.access import allow
from emitra.apitokens.idempotency import idempotent, key_of, not_idempotent
from emitra.apitokens.pagination import PageParams, paginate
from emitra.apitokens.schemas import ERRORS, ErrorOut, Page
from emitra.billpay import receipts, selectors, services
from emitra.billpay.models import BillPayment, PaymentState
from emitra.core.errors import PermissionDenied
from emitra.core.money import format_inr

OPERATORS = allow(Role.OPERATOR, reason="bill payments are taken by kiosk operators only")

router = Router(tags=["bills"], auth=OPERATORS)


def _operator(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or user.role != Role.OPERATOR:
        raise PermissionDenied("api.forbidden", _("Only kiosk operators may use this."))
    return user


class BillerOut(Schema):
    code: str
    name_en: str
    name_hi: str
    kind: str
    consumer_label: str
    consumer_example: str
    part_payment: bool
    overpayment: bool
    min_amount_paise: int


class FetchIn(Schema):
    biller: str
    consumer: str


class BillOut(Schema):
    biller: str
    consumer: str
    name: str  # partly masked
    bill_number: str
    due_date: date | None
    amount_paise: int
    amount: str
    pending_receipt: str | None
    paid_recently_receipt: str | None


class PayIn(Schema):
    biller: str
    consumer: str
    amount_paise: int
    mobile: str = ""
    pay_again: bool = False


class PaymentOut(Schema):
    number: str
    state: str
    state_label: str
    biller: str
    consumer: str
    amount_paise: int
    total_paise: int
    total: str
    biller_txn_id: str
    reason: str
    created_at: str
    completed_at: str | None
    receipt_pdf_a4: str
    receipt_pdf_thermal: str


class PaymentFilters(PageParams):
    day: date | None = Field(None, description="an IST day; today by default")
    state: PaymentState | None = None
    biller: str = Field("", max_length=40)


def payment_out(payment: BillPayment) -> PaymentOut:
    return PaymentOut(
        number=payment.number,
        state=payment.state,
        state_label=str(payment.get_state_display()),
        biller=payment.biller.code,
        consumer=payment.consumer,
        amount_paise=payment.amount,
        total_paise=payment.total,
        total=format_inr(payment.total),
        biller_txn_id=payment.biller_txn_id,
        reason=payment.failure_reason,
        created_at=payment.created_at.isoformat(),
        completed_at=payment.completed_at.isoformat() if payment.completed_at else None,
        receipt_pdf_a4=f"/bills/receipts/{payment.number}/a4.pdf",
        receipt_pdf_thermal=f"/bills/receipts/{payment.number}/thermal.pdf",
    )


@router.get("/billers", auth=OPERATORS, response={200: list[BillerOut], **ERRORS})
def billers(request: HttpRequest) -> list[BillerOut]:
    _operator(request)
    return [
        BillerOut(
            code=b.code,
            name_en=b.name_en,
            name_hi=b.name_hi,
            kind=b.kind,
            consumer_label=b.consumer_label,
            consumer_example=b.consumer_example,
            part_payment=b.part_payment,
            overpayment=b.overpayment,
            min_amount_paise=b.min_amount,
        )
        for b in selectors.active_billers()
    ]


@router.post("/fetch", auth=OPERATORS, response={200: BillOut, **ERRORS, 503: ErrorOut})
@not_idempotent("a query sent by POST: it asks the biller and changes nothing here")
def fetch(request: HttpRequest, body: FetchIn) -> BillOut:
    operator = _operator(request)
    biller = services.biller_by_code(body.biller)
    bill = services.fetch_bill(operator=operator, biller=biller, consumer=body.consumer)
    seen = services.earlier_payments(biller=biller, consumer=bill.consumer)
    return BillOut(
        biller=biller.code,
        consumer=bill.consumer,
        name=receipts.mask_name(bill.customer_name),
        bill_number=bill.bill_number,
        due_date=bill.due_date,
        amount_paise=bill.amount,
        amount=format_inr(bill.amount),
        pending_receipt=seen.pending.number if seen.pending else None,
        paid_recently_receipt=seen.recent.number if seen.recent else None,
    )


@router.post("/payments", auth=OPERATORS, response={201: PaymentOut, **ERRORS})
@idempotent(_("The Idempotency-Key header is required for payments."))
def pay(request: HttpRequest, body: PayIn) -> Status[PaymentOut]:
    operator = _operator(request)
    biller = services.biller_by_code(body.biller)
    payment = services.pay_bill(
        operator=operator,
        biller=biller,
        consumer=body.consumer,
        amount=body.amount_paise,
        key=key_of(request),
        mobile=body.mobile,
        pay_again=body.pay_again,
    )
    return Status(201, payment_out(payment))


@router.get("/payments", auth=OPERATORS, response={200: Page[PaymentOut], **ERRORS})
def payments(request: HttpRequest, filters: Query[PaymentFilters]) -> Page[PaymentOut]:
    rows = selectors.payments_of(
        _operator(request),
        day=filters.day,
        state=filters.state.value if filters.state else "",
        biller=filters.biller,
    )
    return paginate(rows, filters, payment_out)


@router.get("/payments/{number}", auth=OPERATORS, response={200: PaymentOut, **ERRORS})
def status(request: HttpRequest, number: str) -> PaymentOut:
    return payment_out(selectors.payment_of(_operator(request), number))
