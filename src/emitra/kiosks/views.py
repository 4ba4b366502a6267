"""Pages of the kiosk network: kiosks and onboarding (LSP, district, state), coverage and the
district map, complaints handling, the operator's console, and the public rate list and
feedback pages reached from a receipt."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_stubs_ext import StrOrPromise

from emitra.accounts.access import allow
from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.catalog import pricing
from emitra.catalog import search as catalog_search
from emitra.catalog.models import Channel, Service
from emitra.core.access import public
from emitra.core.errors import DomainError
from emitra.core.exports import csv_response
from emitra.core.timeutil import to_ist
from emitra.geo.models import District
from emitra.kiosks import districtmap, rules, selectors, services
from emitra.kiosks.console import console_day, serve_url
from emitra.kiosks.forms import (
    ComplaintDecisionForm,
    ComplaintForm,
    KioskActionForm,
    KioskApplicationForm,
    LSPRegistrationForm,
    RatingForm,
)
from emitra.kiosks.models import (
    ComplaintCategory,
    ComplaintState,
    KioskAction,
    KioskCategory,
    KioskStatus,
    KioskType,
)
from emitra.kiosks.receipts import find_receipt

NETWORK = (Role.LSP, Role.DISTRICT_ADMIN, Role.STATE_ADMIN, Role.AUDITOR)
NETWORK_REASON = "LSPs see their kiosks, district societies their district's, the state all"
COMPLAINT_ROLES = (Role.DISTRICT_ADMIN, Role.STATE_ADMIN, Role.AUDITOR)
ACTION_BUTTONS: dict[str, StrOrPromise] = {
    KioskAction.RECOMMEND: gettext_lazy("Recommend"),
    KioskAction.APPROVE: gettext_lazy("Approve"),
    KioskAction.TRAIN: gettext_lazy("Mark training done"),
    KioskAction.ACTIVATE: gettext_lazy("Activate"),
    KioskAction.SUSPEND: gettext_lazy("Suspend"),
    KioskAction.REINSTATE: gettext_lazy("Reinstate"),
    KioskAction.TERMINATE: gettext_lazy("Terminate"),
}
PUBLIC_FEEDBACK = "a citizen rates or complains from the link on a receipt, without an account"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _rating(average: float | None) -> str:
    return f"{average:.1f}" if average is not None else ""


def _csv_time(moment: object) -> str:
    from datetime import datetime

    return to_ist(moment).strftime(TIME_FORMAT) if isinstance(moment, datetime) else ""


# --- kiosks ------------------------------------------------------------------------------------


@allow(*NETWORK, reason=NETWORK_REASON)
@require_safe
def kiosk_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    g = request.GET
    filters = selectors.KioskFilters(
        status=g.get("status", ""),
        kiosk_type=g.get("type", "") if g.get("type", "") in KioskType.values else "",
        category=g.get("category", "") if g.get("category", "") in KioskCategory.values else "",
        district=g.get("district", "")[:40],
        q=g.get("q", "").strip(),
        flagged=g.get("flagged", ""),
    )
    rows = selectors.with_ratings(selectors.kiosks_for(user, filters))
    if g.get("format") == "csv":
        return csv_response(
            "emitra-kiosks.csv",
            [
                "code",
                "name",
                "type",
                "category",
                "status",
                "district",
                "gram_panchayat",
                "urban_body",
                "lsp",
                "operator",
                "inactive_month",
                "offender_flagged_at",
                "avg_rating",
                "ratings",
            ],
            (
                (
                    k.code,
                    k.name,
                    k.kiosk_type,
                    k.category,
                    k.status,
                    k.district.name_en,
                    k.gram_panchayat.name_en if k.gram_panchayat else "",
                    k.urban_body.name_en if k.urban_body else "",
                    k.lsp.name,
                    k.operator.username,
                    k.inactive_month.isoformat() if k.inactive_month else "",
                    _csv_time(k.offender_flagged_at),
                    _rating(k.avg_rating),  # type: ignore[attr-defined]
                    k.rating_count,  # type: ignore[attr-defined]
                )
                for k in rows.iterator()
            ),
        )
    return render(
        request,
        "kiosks/list.html",
        {
            "kiosks": rows[:500],
            "count": selectors.kiosks_for(user, filters).count(),
            "filters": filters,
            "statuses": KioskStatus.choices,
            "types": KioskType.choices,
            "categories": KioskCategory.choices,
            "districts": District.objects.order_by("name_en") if user.is_statewide else [],
            "lsp": selectors.lsp_of(user) if user.role == Role.LSP else None,
            "can_apply": user.role == Role.LSP,
        },
    )


@allow(Role.LSP, reason="an LSP applies for kiosks in its own district")
@require_http_methods(["GET", "HEAD", "POST"])
def kiosk_apply(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    lsp = selectors.lsp_of(user)
    if lsp is None:
        return render(request, "kiosks/apply.html", {"lsp": None, "form": None})
    form = KioskApplicationForm(request.POST or None, district=lsp.district)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                kiosk = services.apply_kiosk(
                    actor=user,
                    code=data["code"],
                    name=data["name"],
                    kiosk_type=data["kiosk_type"],
                    category=data["category"],
                    operator=services.find_operator(data["operator"]),
                    gram_panchayat=data["gram_panchayat"],
                    urban_body=data["urban_body"],
                    address=data["address"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("Kiosk %(code)s applied for.") % {"code": kiosk.code})
                return redirect("kiosks:detail", kiosk.code)
    return render(request, "kiosks/apply.html", {"lsp": lsp, "form": form}, status=status)


@allow(*NETWORK, reason=NETWORK_REASON)
@require_safe
def kiosk_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    kiosk = selectors.kiosk_for(user, code)
    return render(
        request,
        "kiosks/detail.html",
        {
            "kiosk": kiosk,
            "events": selectors.history(kiosk),
            "actions": [
                (a, ACTION_BUTTONS[a], services.STEPS[a].needs_reason)
                for a in services.allowed_actions(user, kiosk)
            ],
            "form": KioskActionForm(),
            "ratings": selectors.rating_summary(kiosk),
            "complaints": kiosk.complaints.order_by("-created_at")[:10]
            if user.role != Role.LSP
            else [],
        },
    )


@allow(Role.LSP, Role.DISTRICT_ADMIN, Role.STATE_ADMIN, reason=NETWORK_REASON)
@require_POST
def kiosk_act(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    kiosk = selectors.kiosk_for(user, code)
    action = request.POST.get("action", "")
    act = services.ACTS.get(action)
    form = KioskActionForm(request.POST)
    if act is None or not form.is_valid():
        messages.error(request, _("Unknown action. Nothing was changed."))
        return redirect("kiosks:detail", kiosk.code)
    try:
        act(actor=user, kiosk=kiosk, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("%(code)s: %(action)s.") % {"code": kiosk.code, "action": KioskAction(action).label},
        )
    return redirect("kiosks:detail", kiosk.code)


# --- LSPs --------------------------------------------------------------------------------------

LSP_ROLES = (Role.DISTRICT_ADMIN, Role.STATE_ADMIN, Role.AUDITOR)
LSP_REASON = "the state registers LSPs anywhere, a district society in its district"


@allow(*LSP_ROLES, reason=LSP_REASON)
@require_safe
def lsp_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    g = request.GET
    filters = selectors.LSPFilters(
        district=g.get("district", "")[:40] if user.is_statewide else "",
        q=g.get("q", "").strip(),
    )
    rows = selectors.lsps_for(user, filters)
    if g.get("format") == "csv":
        return csv_response(
            "emitra-lsps.csv",
            ["name", "login", "district", "registered_at", "kiosks", "active_kiosks"],
            (
                (
                    lsp.name,
                    lsp.user.username,
                    lsp.district.name_en,
                    _csv_time(lsp.created_at),
                    lsp.kiosk_count,  # type: ignore[attr-defined]
                    lsp.active_count,  # type: ignore[attr-defined]
                )
                for lsp in rows
            ),
        )
    return render(
        request,
        "kiosks/lsps.html",
        {
            "lsps": rows[:500],
            "count": rows.count(),
            "filters": filters,
            "districts": District.objects.order_by("name_en") if user.is_statewide else [],
            "can_register": user.role in (Role.DISTRICT_ADMIN, Role.STATE_ADMIN),
        },
    )


@allow(Role.DISTRICT_ADMIN, Role.STATE_ADMIN, reason=LSP_REASON)
@require_http_methods(["GET", "HEAD", "POST"])
def lsp_register(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    districts = District.objects.order_by("name_en")
    if user.role == Role.DISTRICT_ADMIN:
        districts = districts.filter(pk=user.district_id) if user.district_id else districts.none()
    form = LSPRegistrationForm(request.POST or None, districts=districts)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                lsp = services.register_lsp(
                    actor=user,
                    user=services.find_lsp_login(data["login"]),
                    name=data["name"],
                    district=data["district"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("LSP “%(name)s” registered.") % {"name": lsp.name})
                return redirect("kiosks:lsps")
    return render(request, "kiosks/lsp_register.html", {"form": form}, status=status)


# --- coverage ----------------------------------------------------------------------------------

COVERAGE_ROLES = (Role.LSP, Role.DISTRICT_ADMIN, Role.STATE_ADMIN, Role.AUDITOR)
COVERAGE_REASON = "network planning: where kiosks are missing (no personal data)"


@allow(*COVERAGE_ROLES, reason=COVERAGE_REASON)
@require_safe
def coverage(request: HttpRequest) -> HttpResponse:
    g = request.GET
    district = g.get("district", "")[:40]
    covered = g.get("covered", "") if g.get("covered", "") in ("yes", "no") else ""
    kind = g.get("kind", "") if g.get("kind", "") in ("gp", "ulb") else ""
    rows = selectors.coverage_rows(district=district, covered=covered, kind=kind)
    if g.get("format") == "csv":
        return csv_response(
            "emitra-kiosk-coverage.csv",
            ["kind", "lgd_code", "name", "district", "area", "active_kiosks", "covered"],
            (
                (
                    r.kind,
                    r.lgd_code,
                    r.name,
                    r.district.name_en,
                    r.area,
                    r.active_kiosks,
                    "yes" if r.covered else "no",
                )
                for r in rows
            ),
        )
    try:
        page_number = max(1, int(g.get("page", "1")))
    except ValueError:
        page_number = 1
    size = selectors.PAGE_SIZE
    pages = max(1, -(-len(rows) // size))
    page_number = min(page_number, pages)
    covered_count = sum(1 for r in rows if r.covered)
    return render(
        request,
        "kiosks/coverage.html",
        {
            "rows": rows[(page_number - 1) * size : page_number * size],
            "total": len(rows),
            "covered_count": covered_count,
            "uncovered_count": len(rows) - covered_count,
            "page": page_number,
            "pages": pages,
            "district": district,
            "covered": covered,
            "kind": kind,
            "districts": District.objects.order_by("name_en"),
        },
    )


@allow(*COVERAGE_ROLES, reason=COVERAGE_REASON)
@require_safe
def coverage_map(request: HttpRequest) -> HttpResponse:
    summary = selectors.district_coverage()
    by_slug = {row.district.slug: row for row in summary}
    scale = districtmap.buckets(max((row.active_kiosks for row in summary), default=0))
    geometry = districtmap.geometry()
    shapes = [
        {
            "shape": shape,
            "row": by_slug.get(shape.slug),
            "colour": districtmap.colour_for(
                by_slug[shape.slug].active_kiosks if shape.slug in by_slug else 0, scale
            ),
        }
        for shape in geometry.shapes
    ]
    return render(
        request,
        "kiosks/map.html",
        {"geometry": geometry, "shapes": shapes, "scale": scale, "summary": summary},
    )


# --- complaints (district handling) ------------------------------------------------------------


@allow(*COMPLAINT_ROLES, reason="district societies handle their district's complaints")
@require_safe
def complaint_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    g = request.GET
    filters = selectors.ComplaintFilters(
        state=g.get("state", ""),
        category=g.get("category", "") if g.get("category", "") in ComplaintCategory.values else "",
        overdue=g.get("overdue") == "1",
        kiosk=g.get("kiosk", "").strip(),
        district=g.get("district", "")[:40] if user.is_statewide else "",
    )
    rows = selectors.complaints_for(user, filters)
    if g.get("format") == "csv":
        return csv_response(
            "emitra-kiosk-complaints.csv",
            [
                "number",
                "received_at",
                "due_at",
                "overdue",
                "state",
                "category",
                "kiosk",
                "district",
                "receipt_number",
                "closed_at",
                "note",
            ],
            (
                (
                    c.number,
                    _csv_time(c.created_at),
                    _csv_time(c.due_at),
                    "yes" if c.is_overdue else "",
                    c.state,
                    c.category,
                    c.kiosk.code,
                    c.district.name_en,
                    c.receipt_number,
                    _csv_time(c.closed_at),
                    c.note,
                )
                for c in rows.iterator()
            ),
        )
    return render(
        request,
        "kiosks/complaints.html",
        {
            "complaints": rows[:500],
            "count": rows.count(),
            "filters": filters,
            "states": ComplaintState.choices,
            "categories": ComplaintCategory.choices,
            "districts": District.objects.order_by("name_en") if user.is_statewide else [],
        },
    )


COMPLAINT_ACTS = {
    "start": lambda actor, c, note: services.start_complaint(actor=actor, complaint=c),
    "resolve": lambda actor, c, note: services.resolve_complaint(
        actor=actor, complaint=c, note=note
    ),
    "reject": lambda actor, c, note: services.reject_complaint(actor=actor, complaint=c, note=note),
}


@allow(*COMPLAINT_ROLES, reason="district societies handle their district's complaints")
@require_http_methods(["GET", "HEAD", "POST"])
def complaint_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    complaint = selectors.complaint_for(user, number)
    form = ComplaintDecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        act = COMPLAINT_ACTS.get(request.POST.get("action", ""))
        if act is None or not form.is_valid():
            raise Http404("unknown action")
        try:
            act(user, complaint, form.cleaned_data["note"])
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            status = exc.status
        else:
            messages.success(request, _("Complaint %(number)s updated.") % {"number": number})
            return redirect("kiosks:complaint", complaint.number)
    return render(
        request,
        "kiosks/complaint.html",
        {
            "complaint": complaint,
            "form": form,
            "can_handle": user.role in (Role.DISTRICT_ADMIN, Role.STATE_ADMIN)
            and complaint.is_open,
        },
        status=status,
    )


# --- the operator's console --------------------------------------------------------------------


@allow(Role.OPERATOR, reason="an operator's own counter: their kiosk, wallet and day")
@require_safe
def console(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    kiosk = selectors.kiosk_of_operator(user)
    query = request.GET.get("q", "").strip()[:100]
    hits: list[tuple[Service, str]] = []
    if query:
        codes = [hit.code for hit in catalog_search.search(query, channel=Channel.KIOSK, limit=10)]
        found = {s.code: s for s in Service.objects.filter(code__in=codes)}
        hits = [(found[c], serve_url(found[c])) for c in codes if c in found]
    template = "kiosks/_search.html" if request.headers.get("HX-Request") else "kiosks/console.html"
    return render(
        request,
        template,
        {"day": console_day(operator=user, kiosk=kiosk), "kiosk": kiosk, "q": query, "hits": hits},
    )


# --- public: rate list and feedback ------------------------------------------------------------


@public("a kiosk's rate list is displayed to citizens and must be public")
@require_safe
def kiosk_rates(request: HttpRequest, code: str) -> HttpResponse:
    kiosk = selectors.public_kiosk(code)
    rates = pricing.rate_list()
    if rates is None:
        raise Http404("no rate card")
    return render(
        request,
        "kiosks/rate_list.html",
        {"kiosk": kiosk, "rates": rates, "card": rates.rate_card, "count": len(rates.rows)},
    )


def _receipt_or_404(request: HttpRequest, receipt: str) -> HttpResponse | None:
    if find_receipt(receipt) is None:
        return render(request, "kiosks/feedback_unknown.html", {"number": receipt[:40]}, status=404)
    return None


def _feedback_page(
    request: HttpRequest,
    receipt: str,
    *,
    rating_form: RatingForm | None = None,
    complaint_form: ComplaintForm | None = None,
    status: int = 200,
) -> HttpResponse:
    ref = find_receipt(receipt)
    assert ref is not None
    kiosk = selectors.kiosk_of_receipt(ref)
    return render(
        request,
        "kiosks/feedback.html",
        {
            "ref": ref,
            "kiosk": kiosk,
            "rating_form": rating_form or RatingForm(),
            "complaint_form": complaint_form or ComplaintForm(),
            "sla_days": rules.complaint_sla_days(),
        },
        status=status,
    )


@public(PUBLIC_FEEDBACK)
@require_safe
def feedback(request: HttpRequest, receipt: str) -> HttpResponse:
    if (missing := _receipt_or_404(request, receipt)) is not None:
        return missing
    return _feedback_page(request, receipt)


@public(PUBLIC_FEEDBACK)
@require_POST
def feedback_rate(request: HttpRequest, receipt: str) -> HttpResponse:
    if (missing := _receipt_or_404(request, receipt)) is not None:
        return missing
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.rate_receipt(
                receipt_number=receipt,
                stars=form.cleaned_data["stars"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            return _feedback_page(request, receipt, rating_form=form, status=exc.status)
        return render(request, "kiosks/feedback_done.html", {"rated": True, "number": receipt})
    return _feedback_page(request, receipt, rating_form=form, status=422)


@public(PUBLIC_FEEDBACK)
@require_POST
def feedback_complain(request: HttpRequest, receipt: str) -> HttpResponse:
    if (missing := _receipt_or_404(request, receipt)) is not None:
        return missing
    form = ComplaintForm(request.POST)
    if form.is_valid():
        try:
            complaint = services.submit_complaint(
                receipt_number=receipt,
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
                contact_mobile=form.cleaned_data["contact_mobile"] or "",
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            return _feedback_page(request, receipt, complaint_form=form, status=exc.status)
        return render(
            request, "kiosks/feedback_done.html", {"complaint": complaint, "number": receipt}
        )
    return _feedback_page(request, receipt, complaint_form=form, status=422)
