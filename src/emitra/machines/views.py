"""The machine's screens (full-screen, touch-first, Hindi first), its device bridge (small
JSON endpoints the page calls to drive the simulated cash acceptor, card reader and printer),
heartbeats, the admins' list of machines with who is offline, and the counter's pay-out of a
machine's refund voucher."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from emitra.accounts.access import allow
from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.billpay.models import Biller
from emitra.billpay.services import biller_by_code
from emitra.core.access import public
from emitra.core.errors import DomainError
from emitra.core.exports import csv_response
from emitra.core.money import format_inr
from emitra.core.timeutil import format_ist
from emitra.geo.models import District
from emitra.kiosks.models import Kiosk, KioskType
from emitra.machines import conf, selectors, services
from emitra.machines.access import (
    CASH,
    COOKIE,
    LANG,
    LANGUAGES,
    VOUCHER,
    machine_of,
    machine_only,
    wipe_session,
)
from emitra.machines.devices import NOTES, devices_for
from emitra.machines.models import CashPayment, RefundVoucher

SCREEN = "the machine's own screen, driven by a citizen at the machine"
VOUCHER_ERROR = "machine_voucher_error"
BRIDGE = "the machine's page drives its own devices through the bridge"
ADMINS = (Role.STATE_ADMIN, Role.DISTRICT_ADMIN)


def _screen(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    machine = machine_of(request)
    base = {
        "machine": machine,
        "idle_seconds": conf.idle_seconds(),
        "heartbeat_seconds": conf.heartbeat_seconds(),
        "lang": request.LANGUAGE_CODE,
    }
    return render(request, template, {**base, **context})


def _cash(request: HttpRequest) -> CashPayment | None:
    key = request.session.get(CASH)
    if not key:
        return None
    return (
        CashPayment.objects.select_related("biller", "payment", "machine__kiosk")
        .filter(key=key, machine=machine_of(request))
        .first()
    )


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _error(error: DomainError, **extra: Any) -> JsonResponse:
    return JsonResponse(
        {"ok": False, "code": error.code, "message": str(error.message), **extra},
        status=error.status,
    )


# --- pairing --------------------------------------------------------------------------------


@public("a machine presents its device token once; the token itself is the credential")
def pair(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").strip()
        if services.machine_for_token(token) is not None:
            response = redirect("machines:home")
            response.set_cookie(
                COOKIE,
                token,
                max_age=10 * 365 * 24 * 3600,
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Strict",
            )
            return response
        error = _("This device token is not valid.")
    return render(request, "machines/pair.html", {"error": error}, status=400 if error else 200)


# --- screens --------------------------------------------------------------------------------


@require_safe
@machine_only(SCREEN)
def home(request: HttpRequest) -> HttpResponse:
    """The attract screen: nothing of any citizen, a big "touch to start"."""
    return _screen(request, "machines/attract.html", {})


@require_safe
@machine_only(SCREEN)
def billers(request: HttpRequest) -> HttpResponse:
    rows = Biller.objects.filter(is_active=True).select_related("service").order_by("name_en")
    code = request.session.get(VOUCHER, "")
    held = RefundVoucher.objects.filter(code=code).first() if code else None
    return _screen(
        request,
        "machines/billers.html",
        {"billers": rows, "voucher_amount": format_inr(held.amount) if held else ""},
    )


@machine_only(SCREEN)
def consumer(request: HttpRequest, code: str) -> HttpResponse:
    try:
        biller = biller_by_code(code)
    except DomainError:
        return redirect("machines:billers")
    error = ""
    if request.method == "POST":
        try:
            cash = services.start_cash_payment(
                machine=machine_of(request),
                biller=biller,
                consumer=request.POST.get("consumer", ""),
            )
        except DomainError as failure:
            error = str(failure.message)
        else:
            request.session[CASH] = cash.key
            code = request.session.pop(VOUCHER, "")
            if code:
                try:
                    services.apply_voucher(cash=cash, code=code)
                except DomainError as failure:
                    request.session[VOUCHER_ERROR] = str(failure.message)
            return redirect("machines:pay")
    return _screen(request, "machines/consumer.html", {"biller": biller, "error": error})


@machine_only(SCREEN)
def voucher(request: HttpRequest) -> HttpResponse:
    """ "I have a refund voucher": the citizen types its code, then picks the bill it pays."""
    error = ""
    if request.method == "POST":
        code = request.POST.get("code", "")[:64]
        try:
            found = services.check_voucher(code=code, machine=machine_of(request))
        except DomainError as failure:
            error = str(failure.message)
        else:
            request.session[VOUCHER] = found.code
            return redirect("machines:billers")
    return _screen(request, "machines/voucher.html", {"error": error})


@require_safe
@machine_only(SCREEN)
def pay(request: HttpRequest) -> HttpResponse:
    cash = _cash(request)
    if cash is None:
        return redirect("machines:home")
    escrow = devices_for(machine_of(request).code).cash.escrow()
    return _screen(
        request,
        "machines/pay.html",
        {
            "cash": cash,
            "notes": NOTES,
            "total": format_inr(cash.total),
            "escrow": format_inr(escrow),
            "has_escrow": escrow > 0,
            "credited": format_inr(cash.credited),
            "due": format_inr(cash.due),
            "voucher_error": request.session.pop(VOUCHER_ERROR, ""),
            "card_refused": cash.fault if cash.card_attempts else "",
        },
    )


@require_safe
@machine_only(SCREEN)
def outcome(request: HttpRequest) -> HttpResponse:
    cash = _cash(request)
    if cash is None:
        return redirect("machines:home")
    return _screen(request, "machines/outcome.html", {"cash": cash})


@require_POST
@machine_only(SCREEN)
def language(request: HttpRequest) -> HttpResponse:
    choice = request.POST.get("language", "hi")
    request.session[LANG] = choice if choice in LANGUAGES else "hi"
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/machine/") and "//" not in back else "/machine/")


# --- the device bridge ----------------------------------------------------------------------


def _state(cash: CashPayment) -> dict[str, Any]:
    payment = cash.payment
    return {
        "ok": True,
        "state": cash.state,
        "state_label": str(cash.get_state_display()),
        "total": format_inr(cash.total),
        "method": cash.method,
        "stacked": format_inr(cash.stacked),
        "charged": format_inr(cash.charged),
        "credited": format_inr(cash.credited),
        "receipt": payment.number if payment is not None else "",
        "payment_state": payment.state if payment is not None else "",
        "printed": cash.printed_at is not None,
        "vouchers": [
            {"number": v.number, "amount": format_inr(v.amount)}
            for v in cash.vouchers.order_by("number")
        ],
    }


@require_POST
@machine_only(BRIDGE, api=True)
def cash_insert(request: HttpRequest) -> HttpResponse:
    cash = _cash(request)
    if cash is None:
        return JsonResponse({"ok": False, "message": _("Start again.")}, status=404)
    try:
        note = int(_body(request).get("note", 0))
    except (TypeError, ValueError):
        note = 0
    devices = devices_for(machine_of(request).code)
    try:
        escrow = services.insert_note(cash=cash, note=note, devices=devices)
    except DomainError as error:
        cash.refresh_from_db()
        return _error(error, state=cash.state, escrow=format_inr(devices.cash.escrow()))
    return JsonResponse({"ok": True, "escrow": format_inr(escrow), "enough": escrow >= cash.due})


@require_POST
@machine_only(BRIDGE, api=True)
def cash_return(request: HttpRequest) -> HttpResponse:
    cash = _cash(request)
    if cash is None:
        return JsonResponse({"ok": False}, status=404)
    returned = services.cancel_cash_payment(cash=cash, devices=devices_for(cash.machine.code))
    return JsonResponse({"ok": True, "returned": format_inr(returned)})


@require_POST
@machine_only(BRIDGE, api=True)
def cash_confirm(request: HttpRequest) -> HttpResponse:
    cash = _cash(request)
    if cash is None:
        return JsonResponse({"ok": False}, status=404)
    devices = devices_for(cash.machine.code)
    try:
        cash = services.confirm_cash_payment(cash=cash, devices=devices)
    except DomainError as error:
        cash.refresh_from_db()
        return _error(error, state=cash.state)
    return _printed(cash)


@require_POST
@machine_only(BRIDGE, api=True)
def card_charge(request: HttpRequest) -> HttpResponse:
    """Charge the citizen's card the exact amount due (once, however often it is asked)."""
    cash = _cash(request)
    if cash is None:
        return JsonResponse({"ok": False, "message": _("Start again.")}, status=404)
    try:
        cash = services.charge_card(cash=cash, devices=devices_for(cash.machine.code))
    except DomainError as error:
        cash.refresh_from_db()
        return _error(error, state=cash.state)
    return _printed(cash)


def _printed(cash: CashPayment) -> JsonResponse:
    """Print what is due (once) and answer the payment's state: the end of cash and card."""
    services.print_outcome(cash=cash, devices=devices_for(cash.machine.code))
    cash.refresh_from_db()
    return JsonResponse(_state(cash))


@require_safe
@machine_only(BRIDGE, api=True, touch=False)
def payment_state(request: HttpRequest) -> HttpResponse:
    """Polled by the outcome screen: settles and prints once the biller has answered."""
    cash = _cash(request)
    if cash is None:
        return JsonResponse({"ok": False}, status=404)
    return _printed(services.settle(key=cash.key))


@require_POST
@machine_only("the machine reports that it is alive and how its devices are", api=True, touch=False)
def heartbeat(request: HttpRequest) -> HttpResponse:
    machine = machine_of(request)
    states = devices_for(machine.code).states()
    reported = _body(request).get("devices")
    if isinstance(reported, dict):
        states.update({str(k): str(v) for k, v in reported.items()})
    services.record_heartbeat(machine=machine, states=states)
    return JsonResponse({"ok": True, "devices": states})


@require_POST
@machine_only("the idle timeout wipes the citizen's session on the machine", api=True)
def idle(request: HttpRequest) -> HttpResponse:
    wipe_session(request)
    return JsonResponse({"ok": True})


# --- the admins' view -----------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@require_safe
@allow(*ADMINS, reason="the state and district admins watch which machines are offline")
def machine_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    g = request.GET
    filters = selectors.MachineFilters(
        status=g.get("status", "") if g.get("status", "") in ("online", "offline") else "",
        district=g.get("district", "")[:40],
        q=g.get("q", "").strip()[:40],
    )
    rows = list(selectors.machines_for(user, filters))
    for row in rows:
        row.offline = selectors.is_offline(row)  # type: ignore[attr-defined]
    if g.get("format") == "csv":
        return csv_response(
            "emitra-machines.csv",
            ["code", "name", "district", "last_seen", "offline", "devices"],
            (
                (
                    m.kiosk.code,
                    m.kiosk.name,
                    m.kiosk.district.name_en,
                    format_ist(m.last_seen_at) if m.last_seen_at else "",
                    "yes" if m.offline else "no",  # type: ignore[attr-defined]
                    " ".join(f"{k}={v}" for k, v in sorted(m.device_states.items())),
                )
                for m in rows
            ),
        )
    districts = District.objects.order_by("name_en") if user.role == Role.STATE_ADMIN else []
    return render(
        request,
        "machines/list.html",
        {
            "machines": rows,
            "filters": filters,
            "districts": districts,
            "offline_minutes": conf.offline_seconds() // 60,
        },
    )


@require_http_methods(["GET", "POST"])
@allow(*ADMINS, reason="an admin registers a machine or gives it a new device token")
def issue_token(request: HttpRequest) -> HttpResponse:
    """GET: the form (plus kiosks of the admin's scope); POST: a token, shown only once."""
    user = _user(request)
    kiosks = Kiosk.objects.filter(kiosk_type=KioskType.PLUS).order_by("code")
    if user.role == Role.DISTRICT_ADMIN:
        kiosks = kiosks.filter(district=user.district)
    if request.method == "GET":
        return render(request, "machines/token.html", {"kiosks": kiosks[:500]})
    kiosk = get_object_or_404(kiosks, code=request.POST.get("kiosk", ""))
    try:
        machine, token = services.register_machine(actor=user, kiosk=kiosk)
    except DomainError as error:
        return render(request, "machines/token.html", {"error": error.message}, status=400)
    return render(request, "machines/token.html", {"machine": machine, "token": token})


# --- the kiosk counter: paying out a machine's refund voucher -------------------------------


@require_http_methods(["GET", "POST"])
@allow(Role.OPERATOR, reason="an operator pays a machine refund voucher's bearer at the counter")
def voucher_payout(request: HttpRequest) -> HttpResponse:
    """GET: the form (and, after a pay-out, what to hand over); POST: pay the voucher out."""
    user = _user(request)
    error = ""
    code = ""
    status = 200
    if request.method == "POST":
        code = request.POST.get("code", "")[:64]
        try:
            voucher = services.pay_out_voucher(operator=user, code=code)
        except DomainError as failure:
            error, status = str(failure.message), failure.status
        else:
            return redirect(f"{request.path}?paid={voucher.number}")
    paid = None
    if request.GET.get("paid"):
        paid = RefundVoucher.objects.filter(
            number=request.GET["paid"][:32], redeemed_by=user
        ).first()
    return render(
        request,
        "machines/voucher_payout.html",
        {"error": error, "code": code, "paid": paid},
        status=status,
    )
