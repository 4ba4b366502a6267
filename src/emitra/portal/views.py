"""The citizen portal (/my/): home, pay a bill online through the payment gateway, the
order's outcome page (the gateway's return URL), receipts — plus the installable web app's
manifest, service worker and offline page, and the gateway's callback for online bills."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.utils.translation import override
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from emitra.accounts.access import allow
from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.applications import views as application_views
from emitra.applications.errors import FormInvalid
from emitra.applications.models import Application
from emitra.billpay import receipts
from emitra.billpay import selectors as billpay_selectors
from emitra.billpay.models import Biller, FetchedBill
from emitra.core.access import public
from emitra.core.errors import DomainError
from emitra.payments import gateway
from emitra.payments.models import CallbackOutcome
from emitra.portal import selectors, services
from emitra.portal.forms import BillFetchForm, BillPayForm, new_key
from emitra.portal.models import OnlineBill

OWN = "a citizen sees and pays only their own bills, applications and documents"
STATIC_DIR = Path(__file__).resolve().parent / "static" / "portal"
CALLBACK_STATUS = {
    CallbackOutcome.FORGED: 401,
    CallbackOutcome.MALFORMED: 400,
    CallbackOutcome.UNKNOWN_ORDER: 404,
}


def _citizen(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _see_other(url: str) -> HttpResponse:
    response = HttpResponse(status=303)
    response["Location"] = url
    return response


@allow(Role.CITIZEN, reason=OWN)
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    citizen = _citizen(request)
    return render(
        request,
        "portal/home.html",
        {
            "orders": selectors.online_bills_of(citizen)[: selectors.RECENT],
            "fees": selectors.online_fees_of(citizen)[: selectors.RECENT],
            "receipts": selectors.receipts_of(citizen)[: selectors.RECENT],
            "applications": selectors.applications_of(citizen)[: selectors.RECENT],
            "certificates": selectors.certificates_of(citizen)[: selectors.RECENT],
            "complaints": selectors.complaints_of(citizen)[: selectors.RECENT],
        },
    )


def _pay_form(fetched: FetchedBill, data: object = None) -> BillPayForm:
    initial = {"fetched": fetched.pk, "key": new_key(), "amount": f"{fetched.amount / 100:.2f}"}
    return BillPayForm(data, initial=initial)  # type: ignore[arg-type]


@allow(Role.CITIZEN, reason=OWN)
@require_http_methods(["GET", "HEAD", "POST"])
def pay_bill(request: HttpRequest) -> HttpResponse:
    """Two steps on one page: look up the bill (biller, consumer number), then pay it — the
    answer to "Pay" is a redirect to the gateway's hosted payment page."""
    citizen = _citizen(request)
    billers: list[Biller] = billpay_selectors.active_billers()
    fetch_form = BillFetchForm(
        request.POST if request.POST.get("step") == "fetch" else None,
        billers=billers,
        initial={"biller": request.GET.get("biller", "")},
    )
    pay_form: BillPayForm | None = None
    fetched: FetchedBill | None = None
    status = 200
    if request.method == "POST" and request.POST.get("step") == "fetch":
        status = 422
        if fetch_form.is_valid():
            try:
                fetched = services.fetch_bill(
                    citizen=citizen,
                    biller=fetch_form.cleaned_data["biller"],
                    consumer=fetch_form.cleaned_data["consumer"],
                )
            except DomainError as exc:
                fetch_form.add_error("consumer", str(exc.message))
                status = exc.status
            else:
                pay_form, status = _pay_form(fetched), 200
    elif request.method == "POST" and request.POST.get("step") == "pay":
        status = 422
        form = BillPayForm(request.POST)
        try:
            fetched = services.fetched_bill(
                citizen=citizen, fetched_id=int(request.POST.get("fetched") or 0)
            )
        except (DomainError, ValueError) as exc:
            messages.error(request, str(getattr(exc, "message", exc)))
            return redirect("portal:pay_bill")
        pay_form = form
        if form.is_valid():
            try:
                order = services.start_bill_payment(
                    citizen=citizen,
                    fetched=fetched,
                    amount=form.cleaned_data["amount"],
                    key=form.cleaned_data["key"],
                    site_url=f"{request.scheme}://{request.get_host()}",
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                if order.state == "pending" and (page := gateway.hosted_page(order.payment_url)):
                    return _see_other(page)
                return redirect("portal:bill", order.number)
    response = render(
        request,
        "portal/pay_bill.html",
        {"fetch_form": fetch_form, "pay_form": pay_form, "fetched": fetched},
        status=status,
    )
    # "Pay" answers with a redirect to the gateway's page: let the strict CSP allow it.
    response._csp_update = {  # type: ignore[attr-defined]
        "form-action": [gateway.origin()]
    }
    return response


def _bill_context(order: OnlineBill) -> dict[str, object]:
    return {
        "order": order,
        "payment": order.bill_payment,
        "pay_url": gateway.hosted_page(order.payment_url) if order.is_open else "",
    }


@allow(Role.CITIZEN, reason=OWN)
@require_safe
def bill(request: HttpRequest, number: str) -> HttpResponse:
    """An online bill's outcome: where the gateway sends the browser back (its query string
    is ignored — only the signed callback or the status API count). Polled by HTMX while the
    gateway or the biller has not answered."""
    order = selectors.online_bill_for(_citizen(request), number)
    template = (
        "portal/_bill_status.html" if request.headers.get("HX-Request") else "portal/bill.html"
    )
    return render(request, template, _bill_context(order))


@allow(Role.CITIZEN, reason=OWN)
@require_POST
def check(request: HttpRequest, number: str) -> HttpResponse:
    """ "Check status": ask the gateway about the citizen's own open order now."""
    order = selectors.online_bill_for(_citizen(request), number)
    try:
        services.check_status(order=order)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("portal:bill", order.number)


# --- applying online ------------------------------------------------------------------------


@allow(Role.CITIZEN, reason="citizens apply for services themselves")
@require_safe
def apply_list(request: HttpRequest) -> HttpResponse:
    """The services a citizen can apply for online (their workflow lets citizens submit)."""
    query = request.GET.get("q", "").strip()[:60]
    rows = selectors.services_citizens_apply_for(query)
    return render(request, "portal/apply_list.html", {"services": rows, "q": query})


@allow(Role.CITIZEN, reason="citizens apply for services themselves")
@require_http_methods(["GET", "HEAD", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """The same form as at the kiosk; "Submit" files a free application at once, and sends
    the citizen to the gateway's page to pay a fee — filed when the payment arrives."""
    citizen = _citizen(request)
    service, slots, schema = application_views.form_in_force(code)
    errors: dict[str, object] = {}
    problem, status = "", 200
    if request.method == "POST":
        try:
            made = services.start_application(
                citizen=citizen,
                service=service,
                data=request.POST.dict(),
                files=application_views.uploads_of(request),
                key=request.POST.get("key", ""),
                site_url=f"{request.scheme}://{request.get_host()}",
            )
        except FormInvalid as invalid:
            errors, status = dict(invalid.errors), 422
        except DomainError as refused:
            problem, status = str(refused.message), max(refused.status, 400)
        else:
            if isinstance(made, Application):
                return redirect("applications:receipt", number=made.number)
            if made.is_open and (page := gateway.hosted_page(made.payment_url)):
                return _see_other(page)
            return redirect("portal:fee", made.number)
    context = application_views.form_context(
        request,
        service=service,
        slots=slots,
        schema=schema,
        submitter=citizen,
        errors=errors,
        problem=problem,
        status=status,
    )
    response = render(request, "portal/apply.html", context, status=status)
    response._csp_update = {  # type: ignore[attr-defined]
        "form-action": [gateway.origin()]
    }
    return response


@allow(Role.CITIZEN, reason=OWN)
@require_safe
def fee(request: HttpRequest, number: str) -> HttpResponse:
    """An application fee's outcome (the gateway's return page), polled while it is open."""
    order = selectors.online_fee_for(_citizen(request), number)
    context = {
        "order": order,
        "pay_url": gateway.hosted_page(order.payment_url) if order.is_open else "",
    }
    template = "portal/_fee_status.html" if request.headers.get("HX-Request") else "portal/fee.html"
    return render(request, template, context)


@allow(Role.CITIZEN, reason=OWN)
@require_POST
def fee_check(request: HttpRequest, number: str) -> HttpResponse:
    """ "Check status": ask the gateway about the citizen's own open fee order now."""
    order = selectors.online_fee_for(_citizen(request), number)
    try:
        services.check_status(order=order)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("portal:fee", order.number)


@allow(Role.CITIZEN, reason=OWN)
@require_safe
def receipt_pdf(request: HttpRequest, number: str) -> HttpResponse:
    payment = selectors.receipt_for(_citizen(request), number)
    if payment.state == "pending":
        raise Http404(number)
    body = receipts.render_receipt(payment, "a4")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{receipts.file_name(payment, "a4")}"'
    return response


@public("the payment gateway calls back machine to machine; each call is HMAC-verified")
@csrf_exempt
@require_POST
def gateway_callback(request: HttpRequest) -> HttpResponse:
    outcome = services.handle_callback(
        raw_body=request.body, signature=request.headers.get("X-Signature", "")
    )
    return JsonResponse({"outcome": str(outcome)}, status=CALLBACK_STATUS.get(outcome, 200))


# --- the installable web app -----------------------------------------------------------------


@public("the web app manifest describes the app to browsers; it holds no personal data")
@require_safe
@cache_control(max_age=3600, public=True)
def manifest(request: HttpRequest) -> HttpResponse:
    with override("hi"):
        name_hi, short_hi = _("e-Mitra citizen portal"), _("e-Mitra")
    with override("en"):
        name_en = _("e-Mitra citizen portal")
    data = {
        "id": "/my/",
        "name": f"{name_hi} · {name_en}" if name_hi != name_en else name_en,
        "short_name": short_hi,
        "description": _("Pay bills, apply for services and keep your documents."),
        "lang": "hi",
        "dir": "ltr",
        "start_url": "/my/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#7a2e00",
        "icons": [
            {"src": static("portal/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("portal/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("portal/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("portal/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )


@public("the service worker script must be fetchable by the browser before any login")
@require_safe
def service_worker(request: HttpRequest) -> FileResponse:
    """Served from the root so its scope is the whole site; never cached long, so a new
    version reaches phones on their next visit."""
    response = FileResponse(
        (STATIC_DIR / "sw.js").open("rb"), content_type="text/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@public("the offline page is the app's cached shell; it holds no personal data")
@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/offline.html")
