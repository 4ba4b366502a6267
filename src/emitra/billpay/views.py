"""The kiosk counter for bills: choose the biller → consumer number → the bill (name partly
masked) → pay → the receipt (print A4 or thermal); the day's payments with live status (CSV);
the public receipt verification the QR code opens; and, for the state and district admins,
the payments the biller could not settle, to resolve as paid or failed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from emitra.accounts.access import allow
from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.billpay import receipts, selectors, services
from emitra.billpay.errors import BillerUnavailable, RecentlyPaid
from emitra.billpay.forms import FetchForm, PayForm, ResolveForm, new_key
from emitra.billpay.models import AttentionReason, Biller, BillPayment, FetchedBill, PaymentState
from emitra.core.access import public
from emitra.core.errors import DomainError
from emitra.core.exports import csv_response
from emitra.core.masking import mask_mobile
from emitra.core.money import format_inr, to_rupees
from emitra.core.timeutil import to_ist
from emitra.geo.models import District
from emitra.ledger import selectors as ledger_selectors

COUNTER = "a kiosk operator collects bills at the counter and sees only their own receipts"
ATTENTION_ROLES = (Role.STATE_ADMIN, Role.DISTRICT_ADMIN)
ATTENTION = (
    "the state admin, and a district admin for their district's kiosks, resolve bill payments "
    "the biller could neither confirm nor cancel"
)


def _operator(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


_staff = _operator  # the logged-in user, whatever the role the view allows


def _biller(code: str) -> Biller:
    try:
        return services.biller_by_code(code)
    except DomainError:
        raise Http404 from None


def _available(operator: User) -> int | None:
    wallet = ledger_selectors.wallet_of(operator.pk)
    return ledger_selectors.available_balance(wallet) if wallet is not None else None


@allow(Role.OPERATOR, reason=COUNTER)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "billpay/index.html",
        {"billers": selectors.active_billers(), "available": _available(_operator(request))},
    )


def _bill_page(
    request: HttpRequest,
    biller: Biller,
    fetched: FetchedBill,
    form: PayForm,
    *,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    operator = _operator(request)
    seen = services.earlier_payments(biller=biller, consumer=fetched.consumer)
    quote = None
    try:
        quote = services.price(operator=operator, biller=biller, amount=max(fetched.amount, 1))
    except DomainError as exc:
        error = error or str(exc.message)
    return render(
        request,
        "billpay/bill.html",
        {
            "biller": biller,
            "bill": fetched,
            "masked_name": receipts.mask_name(fetched.customer_name),
            "form": form,
            "seen": seen,
            "quote": quote,
            "error": error,
            "available": _available(operator),
            "min_amount": biller.min_amount,
        },
        status=status,
    )


@allow(Role.OPERATOR, reason=COUNTER)
@require_http_methods(["GET", "HEAD", "POST"])
def fetch(request: HttpRequest, code: str) -> HttpResponse:
    biller = _biller(code)
    operator = _operator(request)
    form = FetchForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                fetched = services.fetch_bill(
                    operator=operator, biller=biller, consumer=form.cleaned_data["consumer"]
                )
            except DomainError as exc:
                form.add_error("consumer", str(exc.message))
                status = 503 if isinstance(exc, BillerUnavailable) else exc.status
            else:
                pay_form = PayForm(
                    initial={
                        "consumer": fetched.consumer,
                        "amount": to_rupees(fetched.amount),
                        "key": new_key(),
                    }
                )
                return _bill_page(request, biller, fetched, pay_form)
    return render(
        request,
        "billpay/fetch.html",
        {"biller": biller, "form": form, "example": biller.consumer_example},
        status=status,
    )


@allow(Role.OPERATOR, reason=COUNTER)
@require_POST
def pay(request: HttpRequest, code: str) -> HttpResponse:
    biller = _biller(code)
    operator = _operator(request)
    form = PayForm(request.POST)
    consumer = request.POST.get("consumer", "")
    fetched = services.latest_fetch(operator=operator, biller=biller, consumer=consumer)
    if fetched is None:
        return redirect("billpay:fetch", biller.code)
    if not form.is_valid():
        return _bill_page(request, biller, fetched, form, status=422)
    try:
        payment = services.pay_bill(
            operator=operator,
            biller=biller,
            consumer=form.cleaned_data["consumer"],
            amount=form.cleaned_data["amount"],
            key=form.cleaned_data["key"],
            mobile=form.cleaned_data["mobile"],
            pay_again=form.cleaned_data["pay_again"],
        )
    except DomainError as exc:
        status = 409 if isinstance(exc, RecentlyPaid) else exc.status
        return _bill_page(request, biller, fetched, form, status=status, error=str(exc.message))
    return redirect("billpay:receipt", payment.number)


@allow(Role.OPERATOR, reason=COUNTER)
@require_safe
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    try:
        payment = selectors.payment_of(_operator(request), number)
    except DomainError:
        raise Http404 from None
    return render(
        request,
        "billpay/receipt.html",
        {
            "payment": payment,
            "masked_name": receipts.mask_name(payment.customer_name),
            "masked_mobile": mask_mobile(payment.mobile) if payment.mobile else "",
            "note": receipts.STATUS_NOTES[payment.state],
        },
    )


@allow(Role.OPERATOR, reason=COUNTER)
@require_safe
def receipt_pdf(request: HttpRequest, number: str, layout: str) -> HttpResponse:
    if layout not in receipts.LAYOUTS:
        raise Http404
    try:
        payment = selectors.payment_of(_operator(request), number)
    except DomainError:
        raise Http404 from None
    body = receipts.render_receipt(payment, layout)  # type: ignore[arg-type]
    response = HttpResponse(body, content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = (
        f'{disposition}; filename="{receipts.file_name(payment, layout)}"'  # type: ignore[arg-type]
    )
    return response


def _day(raw: str | None) -> date:
    try:
        return date.fromisoformat(raw) if raw else selectors.today_ist()
    except ValueError:
        return selectors.today_ist()


def _export(rows: list[BillPayment], day: date) -> HttpResponse:
    return csv_response(
        f"emitra-bill-payments-{day.isoformat()}.csv",
        [
            "receipt",
            "time",
            "biller",
            "consumer",
            "amount",
            "service_charge",
            "total",
            "state",
            "biller_reference",
            "mobile",
        ],
        (
            (
                p.number,
                to_ist(p.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                p.biller.name_en,
                p.consumer,
                to_rupees(p.amount),
                to_rupees(p.service_charge),
                to_rupees(p.total),
                p.state,
                p.biller_txn_id,
                mask_mobile(p.mobile) if p.mobile else "",
            )
            for p in rows
        ),
    )


@allow(Role.OPERATOR, reason=COUNTER)
@require_safe
def day(request: HttpRequest) -> HttpResponse:
    operator = _operator(request)
    chosen = _day(request.GET.get("day"))
    state = request.GET.get("state", "")
    state = state if state in PaymentState.values else ""
    biller = request.GET.get("biller", "")
    rows = list(selectors.payments_of(operator, day=chosen, state=state, biller=biller))
    if request.GET.get("format") == "csv":
        return _export(rows, chosen)
    paid = [p for p in rows if p.state == PaymentState.SUCCESS]
    return render(
        request,
        "billpay/day.html",
        {
            "rows": rows,
            "day": chosen,
            "state": state,
            "states": PaymentState.choices,
            "biller": biller,
            "billers": selectors.active_billers(),
            "paid_total": sum(p.total for p in paid),
            "paid_count": len(paid),
        },
    )


@allow(Role.OPERATOR, reason=COUNTER)
@require_safe
def states(request: HttpRequest) -> JsonResponse:
    """The live status of some of the operator's receipts (the pages poll it while pending)."""
    numbers = request.GET.getlist("n")
    found = selectors.states_of(_operator(request), numbers)
    return JsonResponse(
        {
            "payments": [
                {
                    "number": p.number,
                    "state": p.state,
                    "label": str(PaymentState(p.state).label),
                    "final": p.is_final,
                }
                for p in found
            ]
        }
    )


@public("anyone holding a receipt checks it is genuine by its QR code or number")
@require_safe
def verify(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("p", "")
    number = request.GET.get("number", "").strip()
    payment: BillPayment | None = None
    error = ""
    signed = False
    if token:
        data = receipts.read_payload(token)
        if data is None:
            error = _("This QR code was not issued by e-Mitra.")
        else:
            payment = selectors.find_receipt(data["n"])
            signed = payment is not None and payment.total == data.get("a")
            if not signed:
                payment, error = None, _("This QR code was not issued by e-Mitra.")
    elif number:
        payment = selectors.find_receipt(number)
        if payment is None:
            error = _("No receipt with this number.")
    return render(
        request,
        "billpay/verify.html",
        {
            "payment": payment,
            "signed": signed,
            "error": error,
            "number": number,
            "masked_name": receipts.mask_name(payment.customer_name) if payment else "",
            "total": format_inr(payment.total) if payment else "",
        },
        status=404 if error else 200,
    )


# --- payments referred to staff ------------------------------------------------------------------

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def _attention_export(rows: list[BillPayment]) -> HttpResponse:
    return csv_response(
        "emitra-bill-payments-needing-attention.csv",
        [
            "receipt",
            "created_at",
            "attention_since",
            "reason",
            "biller",
            "consumer",
            "total",
            "kiosk",
            "district",
            "operator",
            "status_checks",
            "cancel_attempts",
            "hold_state",
            "hold_expires_at",
        ],
        (
            (
                p.number,
                to_ist(p.created_at).strftime(TIME_FORMAT),
                to_ist(p.attention_since).strftime(TIME_FORMAT) if p.attention_since else "",
                p.attention_reason,
                p.biller.name_en,
                p.consumer,
                to_rupees(p.total),
                _kiosk(p).code if _kiosk(p) else "",
                _kiosk(p).district.name_en if _kiosk(p) else "",
                p.operator.username,
                p.polls,
                p.cancel_attempts,
                p.hold.state,
                to_ist(p.hold.expires_at).strftime(TIME_FORMAT),
            )
            for p in rows
        ),
    )


def _kiosk(payment: BillPayment) -> Any:
    """The kiosk the payment was taken at (None: a citizen paid online)."""
    return getattr(payment.operator, "kiosk", None)


@allow(*ATTENTION_ROLES, reason=ATTENTION)
@require_safe
def attention_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    g = request.GET
    filters = selectors.AttentionFilters(
        biller=g.get("biller", "")[:30],
        reason=g.get("reason", "") if g.get("reason", "") in AttentionReason.values else "",
        district=g.get("district", "")[:40] if user.role == Role.STATE_ADMIN else "",
        q=g.get("q", "").strip()[:32],
    )
    rows = list(selectors.needing_attention(user, filters)[:500])
    if g.get("format") == "csv":
        return _attention_export(rows)
    return render(
        request,
        "billpay/attention.html",
        {
            "rows": rows,
            "filters": filters,
            "reasons": AttentionReason.choices,
            "billers": selectors.active_billers(),
            "districts": District.objects.order_by("name_en")
            if user.role == Role.STATE_ADMIN
            else [],
        },
    )


RESOLUTIONS = {
    "paid": lambda actor, number, form: services.resolve_paid(
        actor=actor,
        number=number,
        reason=form.cleaned_data["reason"],
        biller_txn_id=form.cleaned_data["biller_txn_id"],
    ),
    "failed": lambda actor, number, form: services.resolve_failed(
        actor=actor, number=number, reason=form.cleaned_data["reason"]
    ),
}


@allow(*ATTENTION_ROLES, reason=ATTENTION)
@require_http_methods(["GET", "HEAD", "POST"])
def attention_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = _staff(request)
    payment = selectors.attention_of(user, number)
    if payment is None:
        raise Http404(number)
    form = ResolveForm(request.POST or None)
    status = 200
    if request.method == "POST":
        act = RESOLUTIONS.get(request.POST.get("action", ""))
        if act is None or not form.is_valid():
            raise Http404("unknown action")
        try:
            done = act(user, payment.number, form)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            status = exc.status
        else:
            messages.success(
                request,
                _("Receipt %(number)s resolved: %(state)s.")
                % {"number": done.number, "state": done.get_state_display()},
            )
            return redirect("billpay:attention")
    return render(
        request,
        "billpay/attention_detail.html",
        {
            "payment": payment,
            "kiosk": _kiosk(payment),
            "form": form,
            "masked_mobile": mask_mobile(payment.mobile) if payment.mobile else "",
        },
        status=status,
    )
