"""Pages of e-Mitra@Home: booking (citizen or operator), the citizen's own bookings, the
operator's day, the district society's list, and one visit with the acts its viewer may do."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from emitra.accounts.access import allow, signed_in
from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.core.errors import DomainError, InvalidInput
from emitra.core.exports import csv_response
from emitra.core.masking import mask_mobile
from emitra.core.timeutil import format_ist
from emitra.geo.models import District
from emitra.home_visits import selectors, services, slots
from emitra.home_visits.forms import BookingForm, CancelForm, ReassignForm
from emitra.home_visits.models import Visit, VisitState
from emitra.kiosks.models import Kiosk
from emitra.kiosks.selectors import kiosk_of_operator

DISTRICT_ROLES = (Role.DISTRICT_ADMIN, Role.STATE_ADMIN, Role.AUDITOR)
CSV_HEADER = [
    "number",
    "day",
    "slot",
    "state",
    "service",
    "citizen",
    "mobile",
    "district",
    "place",
    "pin",
    "kiosk",
    "priority_group",
    "charge_paise",
    "booked_at",
    "reason",
]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _csv(filename: str, rows: Any) -> HttpResponse:
    return csv_response(
        filename,
        CSV_HEADER,
        (
            (
                v.number,
                v.day.isoformat(),
                v.slot,
                v.state,
                v.service.code,
                v.citizen_name,
                mask_mobile(v.mobile),
                v.district.name_en,
                v.place,
                v.pin,
                v.kiosk.code if v.kiosk else "",
                v.priority_group,
                v.charge,
                format_ist(v.created_at),
                v.reason,
            )
            for v in rows.iterator()
        ),
    )


# --- booking ---------------------------------------------------------------------------------


@allow(
    Role.CITIZEN, Role.OPERATOR, reason="a citizen books for themselves, an operator for a citizen"
)
@require_http_methods(["GET", "HEAD", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    for_citizen = user.role == Role.CITIZEN
    initial = {"district": user.district.slug if user.district else ""}
    refresh = request.method == "POST" and "show_places" in request.POST
    if refresh:  # the district was chosen: show its places, check nothing yet
        chosen = {k: v for k, v in request.POST.dict().items() if k != "csrfmiddlewaretoken"}
        form = BookingForm(initial={**initial, **chosen}, for_citizen=for_citizen)
    else:
        data = request.POST if request.method == "POST" else None
        form = BookingForm(data, initial=initial, for_citizen=for_citizen)
    status = 200
    if request.method == "POST" and not refresh:
        if form.is_valid():
            c = form.cleaned_data
            try:
                visit = services.book_visit(
                    actor=user,
                    service=c["service"],
                    district=c["district"],
                    block=c["block"],
                    gram_panchayat=c["gram_panchayat"],
                    urban_body=c["urban_body"],
                    address=c["address"],
                    pin=c["pin"],
                    day=c["day"],
                    slot=c["slot"],
                    priority_group=c["priority_group"] or "",
                    citizen_name=c.get("citizen_name", ""),
                    mobile=c.get("mobile", ""),
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(
                    request, _("Visit %(number)s is booked.") % {"number": visit.number}
                )
                return redirect("home_visits:detail", visit.number)
        else:
            status = 400
    return render(
        request,
        "home_visits/book.html",
        {
            "form": form,
            "charge": slots.visit_charge(),
            "for_citizen": for_citizen,
        },
        status=status,
    )


@allow(Role.CITIZEN, reason="a citizen's own bookings")
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "home_visits/mine.html",
        {"visits": selectors.own_visits(_user(request))[:200]},
    )


# --- lists -----------------------------------------------------------------------------------


@allow(Role.OPERATOR, reason="the visits assigned to the operator's own kiosk")
@require_safe
def operator_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    g = request.GET
    today = slots.today_ist()
    upcoming = g.get("upcoming") == "1"
    day = _date(g.get("day")) or today
    filters = selectors.VisitFilters(
        day_from=day,
        day_to=None if upcoming else day,
        state=g.get("state", "") if g.get("state", "") in VisitState.values else "",
        slot=g.get("slot", "") if slots.slot(g.get("slot", "")) else "",
    )
    rows = selectors.operator_visits(user, filters)
    if g.get("format") == "csv":
        return _csv(f"emitra-home-visits-{day.isoformat()}.csv", rows)
    return render(
        request,
        "home_visits/operator_list.html",
        {
            "visits": rows[:500],
            "count": rows.count(),
            "day": day,
            "upcoming": upcoming,
            "filters": filters,
            "states": VisitState.choices,
            "slots": slots.slot_choices(),
            "kiosk": kiosk_of_operator(user),
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
        },
    )


@allow(*DISTRICT_ROLES, reason="district societies see their district's visits, the state all")
@require_safe
def district_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    g = request.GET
    filters = selectors.VisitFilters(
        day_from=_date(g.get("from")),
        day_to=_date(g.get("to")),
        state=g.get("state", "") if g.get("state", "") in VisitState.values else "",
        slot=g.get("slot", "") if slots.slot(g.get("slot", "")) else "",
        kiosk=g.get("kiosk", "").strip()[:20],
        district=g.get("district", "")[:40] if user.is_statewide else "",
        q=g.get("q", "").strip()[:60],
    )
    rows = selectors.district_visits(user, filters)
    if g.get("format") == "csv":
        return _csv("emitra-home-visits.csv", rows)
    return render(
        request,
        "home_visits/district_list.html",
        {
            "visits": rows[:500],
            "count": rows.count(),
            "filters": filters,
            "states": VisitState.choices,
            "slots": slots.slot_choices(),
            "districts": District.objects.order_by("name_en") if user.is_statewide else [],
        },
    )


# --- one visit -------------------------------------------------------------------------------


def _acts(user: User, visit: Visit) -> dict[str, bool]:
    role = user.role
    kiosk = kiosk_of_operator(user) if role == Role.OPERATOR else None
    assigned = kiosk is not None and visit.kiosk_id == kiosk.pk
    district = role == Role.DISTRICT_ADMIN and user.district_id == visit.district_id
    return {
        "visit": assigned and visit.state == VisitState.ASSIGNED,
        "complete": assigned and visit.state == VisitState.VISITED,
        "cancel": (
            (role == Role.CITIZEN and visit.state in (VisitState.BOOKED, VisitState.ASSIGNED))
            or (assigned and visit.state in (VisitState.ASSIGNED, VisitState.VISITED))
            or (district and visit.is_open)
        ),
        "reason_needed": role != Role.CITIZEN,
        "reassign": district and visit.state in (VisitState.BOOKED, VisitState.ASSIGNED),
        "full_mobile": assigned,
    }


@signed_in("the citizen, the booking or assigned operator and the district see one visit")
@require_safe
def detail(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    visit = selectors.visit_for(user, number)
    return _detail_page(request, user, visit)


def _detail_page(
    request: HttpRequest,
    user: User,
    visit: Visit,
    *,
    cancel_form: CancelForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "home_visits/detail.html",
        {
            "visit": visit,
            "events": visit.events.select_related("actor", "kiosk"),
            "acts": _acts(user, visit),
            "cancel_form": cancel_form or CancelForm(),
            "reassign_form": ReassignForm(),
            "error": error,
        },
        status=status,
    )


@signed_in("the acts on a visit are checked against the viewer's role in the service")
@require_POST
def act(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    visit = selectors.visit_for(user, number)
    action = request.POST.get("action", "")
    cancel_form = CancelForm(request.POST)
    try:
        if action == "visit":
            services.mark_visited(actor=user, visit=visit)
        elif action == "complete":
            services.complete_visit(actor=user, visit=visit)
        elif action == "cancel":
            reason = cancel_form.cleaned_data["reason"] if cancel_form.is_valid() else ""
            services.cancel_visit(actor=user, visit=visit, reason=reason)
        elif action == "reassign":
            code = request.POST.get("kiosk", "").strip().upper()
            kiosk = None
            if code:
                kiosk = Kiosk.objects.filter(code=code).first()
                if kiosk is None:
                    raise InvalidInput(
                        "home_visits.kiosk",
                        gettext_lazy("There is no kiosk %(code)s.") % {"code": code},
                    )
            services.reassign_visit(actor=user, visit=visit, kiosk=kiosk)
        else:
            raise Http404("unknown action")
    except DomainError as exc:
        visit.refresh_from_db()
        return _detail_page(
            request, user, visit, cancel_form=cancel_form, error=str(exc.message), status=exc.status
        )
    messages.success(request, _("Visit %(number)s updated.") % {"number": visit.number})
    return redirect("home_visits:detail", visit.number)
