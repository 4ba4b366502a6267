"""The operator's wallet: balances, top-up through the payment gateway, pending and recent
top-ups (CSV), a top-up's outcome page (the gateway's return URL) with "Check status" — and
the gateway's callback endpoint (machine to machine, HMAC-authenticated)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from emitra.accounts.access import allow
from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.core.access import public
from emitra.core.errors import DomainError
from emitra.core.exports import csv_response
from emitra.core.money import to_rupees
from emitra.core.timeutil import to_ist
from emitra.payments import gateway, selectors, services
from emitra.payments.errors import InvalidRequestKey, TopUpKeyReused
from emitra.payments.forms import TopUpForm, new_key
from emitra.payments.models import CallbackOutcome, TopUp, TopUpState

OWN_WALLET = "a kiosk operator tops up and watches their own wallet; others have none"
CALLBACK_STATUS = {
    CallbackOutcome.FORGED: 401,
    CallbackOutcome.MALFORMED: 400,
    CallbackOutcome.UNKNOWN_ORDER: 404,
}


def _operator(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _site_url(request: HttpRequest) -> str:
    """The origin the operator uses (the Host header is checked against ALLOWED_HOSTS)."""
    return f"{request.scheme}://{request.get_host()}"


def _see_other(url: str) -> HttpResponse:
    response = HttpResponse(status=303)
    response["Location"] = url
    return response


def _export(operator: User, state: str) -> HttpResponse:
    rows = selectors.topups_of(operator, state=state)
    return csv_response(
        "emitra-wallet-topups.csv",
        ["number", "created_at", "amount", "state", "gateway_order_id", "completed_at", "flagged"],
        (
            (
                t.number,
                to_ist(t.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                to_rupees(t.amount),
                t.state,
                t.gateway_order_id,
                to_ist(t.completed_at).strftime("%Y-%m-%d %H:%M:%S") if t.completed_at else "",
                "yes" if t.flagged else "",
            )
            for t in rows.iterator()
        ),
    )


def _fresh_key(form: TopUpForm) -> TopUpForm:
    """The same form with a new request key (after the old one was refused)."""
    data = form.data.copy() if isinstance(form.data, QueryDict) else QueryDict(mutable=True)
    data["key"] = new_key()
    refreshed = TopUpForm(data)
    refreshed.is_valid()
    return refreshed


@allow(Role.OPERATOR, reason=OWN_WALLET)
@require_http_methods(["GET", "HEAD", "POST"])
def wallet(request: HttpRequest) -> HttpResponse:
    operator = _operator(request)
    account = services.ensure_wallet(operator=operator)
    state = request.GET.get("state", "")
    state = state if state in TopUpState.values else ""
    if request.method != "POST" and request.GET.get("format") == "csv":
        return _export(operator, state)
    form = TopUpForm(request.POST or None, initial={"key": new_key()})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                topup = services.start_topup(
                    operator=operator,
                    amount=form.cleaned_data["amount"],
                    key=form.cleaned_data["key"],
                    site_url=_site_url(request),
                )
            except (InvalidRequestKey, TopUpKeyReused) as exc:
                form = _fresh_key(form)
                form.add_error(None, str(exc.message))
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                if topup.state == TopUpState.PENDING and (
                    page := gateway.hosted_page(topup.payment_url)
                ):
                    return _see_other(page)
                return redirect("payments:topup", topup.number)
        elif "key" in form.errors:
            expired = form.errors["key"][0]
            form = _fresh_key(form)
            form.add_error(None, expired)
    response = render(
        request,
        "payments/wallet.html",
        {
            "wallet": account,
            "balances": selectors.balances(account),
            "form": form,
            "pending": selectors.open_topups_of(operator),
            "recent": selectors.topups_of(operator, state=state)[: selectors.RECENT],
            "state": state,
            "states": TopUpState.choices,
            "min_amount": services.MIN_TOPUP,
            "max_amount": services.MAX_TOPUP,
        },
        status=status,
    )
    # The form's answer is a redirect to the gateway's payment page: the strict CSP allows
    # form submissions (and their redirects) to our own origin only, so add the gateway's.
    response._csp_update = {  # type: ignore[attr-defined]
        "form-action": [gateway.origin()]
    }
    return response


def _status_context(topup: TopUp, error: str = "") -> dict[str, object]:
    return {"topup": topup, "pay_url": gateway.hosted_page(topup.payment_url), "error": error}


@allow(Role.OPERATOR, reason=OWN_WALLET)
@require_safe
def topup(request: HttpRequest, number: str) -> HttpResponse:
    """A top-up's outcome: the page the gateway sends the browser back to (its query string is
    ignored — only what the callback or the status API told us counts). Polled by HTMX while
    the top-up is open."""
    found = selectors.topup_for(_operator(request), number)
    template = (
        "payments/_status.html" if request.headers.get("HX-Request") else "payments/topup.html"
    )
    return render(request, template, _status_context(found))


@allow(Role.OPERATOR, reason=OWN_WALLET)
@require_POST
def check(request: HttpRequest, number: str) -> HttpResponse:
    """ "Check status": ask the gateway about one of the operator's own open top-ups now."""
    operator = _operator(request)
    found = selectors.topup_for(operator, number)
    error = ""
    try:
        found = services.reconcile_topup(topup=found, actor=operator)
    except DomainError as exc:
        error = str(exc.message)
    if request.headers.get("HX-Request"):
        return render(request, "payments/_status.html", _status_context(found, error))
    if error:
        messages.error(request, error)
    else:
        messages.info(
            request, _("Status checked: %(state)s.") % {"state": found.get_state_display()}
        )
    return redirect("payments:topup", found.number)


@public("the payment gateway calls back machine to machine; each call is HMAC-verified")
@csrf_exempt
@require_POST
def callback(request: HttpRequest) -> HttpResponse:
    result = services.handle_callback(
        raw_body=request.body, signature=request.headers.get("X-Signature", "")
    )
    return JsonResponse(
        {"outcome": str(result.outcome)}, status=CALLBACK_STATUS.get(result.outcome, 200)
    )
