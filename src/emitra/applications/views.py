"""Application pages: the kiosk's service list and form, the acknowledgement (page and PDF),
an application's page with its documents, history and the actor's actions, the department
inbox (filters, CSV, bulk actions), scoped document downloads, and public tracking by
application number + mobile OTP."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from emitra.accounts import services as accounts_services
from emitra.accounts.access import allow
from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.applications import receipts, selectors, services, workflow
from emitra.applications.errors import FormInvalid
from emitra.applications.models import Application, ApplicationDocument
from emitra.catalog import formschema, pricing
from emitra.catalog import selectors as catalog_selectors
from emitra.catalog.models import Service
from emitra.core.access import public
from emitra.core.errors import DomainError
from emitra.core.exports import csv_response
from emitra.core.money import to_rupees
from emitra.core.pdf import render_pdf
from emitra.core.timeutil import to_ist
from emitra.documents.services import open_document
from emitra.geo.models import District
from emitra.registry import prefill as jan_aadhaar

READERS = (
    Role.OPERATOR,
    Role.CITIZEN,
    Role.DEPARTMENT_OFFICER,
    Role.DEPARTMENT_ADMIN,
    Role.STATE_ADMIN,
    Role.AUDITOR,
)
READ_REASON = (
    "the operator who filed it, its citizen, department staff of its department and district, "
    "and statewide read-only roles; others get 404"
)
STAFF = (Role.DEPARTMENT_OFFICER, Role.DEPARTMENT_ADMIN)
PAGE_SIZE = 50
TRACKED_KEY = "applications.tracked"
PENDING_KEY = "applications.track_pending"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _visible(request: HttpRequest, number: str) -> Application:
    found = selectors.for_user(_user(request), number)
    if found is None:
        raise Http404(number)
    return found


# --- the kiosk: choose a service, fill the form ---------------------------------------------


def _form_values(request: HttpRequest) -> dict[str, Any]:
    """Values passed in the query string (a link may preset fields), without the consent
    grant's own parameters."""
    values = request.GET.dict()
    values.pop(jan_aadhaar.GRANT_PARAM, None)
    values.pop(jan_aadhaar.MEMBER_PARAM, None)
    return values


@allow(Role.OPERATOR, reason="kiosk operators file applications for citizens")
@require_safe
def services_list(request: HttpRequest) -> HttpResponse:
    """The services to file for, and the applications filed here (filtered, paged, CSV)."""
    query = request.GET.get("q", "").strip()[:60]
    rows = selectors.applicable_services()
    if query:
        rows = rows.filter(name_en__icontains=query) | rows.filter(name_hi__icontains=query)
    filters = selectors.InboxFilters(
        state=request.GET.get("status", "")[:30],
        q=request.GET.get("number", "").strip()[:60],
        submitted_from=_day(request.GET.get("from")),
        submitted_to=_day(request.GET.get("to")),
        open_only=False,
    )
    mine = selectors.filed_by(_user(request), filters)
    if request.GET.get("format") == "csv":
        return csv_response(
            "emitra-my-applications.csv",
            ["number", "service", "applicant", "submitted_at", "state", "fee_rupees"],
            (
                (
                    a.number,
                    a.service.code,
                    a.applicant_name,
                    to_ist(a.submitted_at).strftime("%Y-%m-%d %H:%M"),
                    a.state,
                    to_rupees(a.amount_paid),
                )
                for a in mine.iterator()
            ),
        )
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    states = _state_labels()
    return render(
        request,
        "applications/services.html",
        {
            "services": rows,
            "q": query,
            "recent": page.object_list,
            "page": page,
            "filters": filters,
            "states": sorted(states.items()),
            "labels": states,
            "query": _query_without_page(request),
        },
    )


def _day(value: str | None) -> date | None:
    """A day from a date input (YYYY-MM-DD); anything else is no filter."""
    try:
        return date.fromisoformat((value or "").strip()[:10]) if value else None
    except ValueError:
        return None


def _query_without_page(request: HttpRequest) -> str:
    """The list's query string for links to other pages and to the CSV export."""
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    return params.urlencode()


def _state_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for definition in workflow.all_definitions():
        for code, state in definition.states.items():
            labels.setdefault(code, state.label)
    return labels


def _link_pickers(bound: formschema.BoundForm, schema: dict[str, Any]) -> None:
    by_name = {f.name: f for f in bound.fields}
    for name, spec in formschema.ordered_properties(schema):
        for ref, kind in (("x-district-field", "block"), ("x-block-field", "gram_panchayat")):
            parent = by_name.get(spec.get(ref, ""))
            if parent is not None:
                parent.picker_url = reverse("services:picker", args=[kind])
                parent.picker_target = f"#f-{name}"


def form_in_force(code: str) -> tuple[Service, list[services.Slot], dict[str, Any]]:
    """The service a form is filled for, its upload slots and its form (404 if it has none)."""
    service = get_object_or_404(selectors.applicable_services(), code=code)
    version = catalog_selectors.version_in_force(service)
    if version is None or not version.form_schema or not version.workflow_ref:
        raise Http404(code)
    return (
        service,
        services.upload_slots(service, version),
        services.fields_schema(version.form_schema),
    )


def form_context(
    request: HttpRequest,
    *,
    service: Service,
    slots: list[services.Slot],
    schema: dict[str, Any],
    submitter: User,
    errors: dict[str, Any],
    problem: str,
    status: int,
) -> dict[str, Any]:
    """What the form page shows (the kiosk's and the portal's): the form bound to what was
    posted (with each field's error) or to its prefill, the slots, the fee, a request key —
    the same key again after a refused form, so a double submit files once."""
    prefilled: dict[str, Any] = {}
    if request.method == "POST":
        bound = formschema.bind(schema, request.POST.dict())
        for field in bound.fields:
            field.error = errors.get(field.name, "")
    else:
        prefilled = jan_aadhaar.initial_for(request)
        bound = formschema.bind(schema, {**prefilled, **_form_values(request)}, validate=False)
    _link_pickers(bound, schema)
    try:
        priced: pricing.Quote | None = services.quote_fee(service=service, submitted_by=submitter)
    except DomainError:
        priced = None
    return {
        "service": service,
        "form": bound,
        "slot_rows": [(slot, errors.get(slot.name, "")) for slot in slots],
        "errors": errors,
        "problem": problem,
        "quote": priced,
        "prefilled": bool(prefilled),
        "key": request.POST.get("key") if status != 200 and problem == "" else uuid.uuid4().hex,
    }


@allow(Role.OPERATOR, reason="kiosk operators file applications for citizens")
@require_http_methods(["GET", "HEAD", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    operator = _user(request)
    service, slots, schema = form_in_force(code)
    errors: dict[str, Any] = {}
    problem = ""
    status = 200
    if request.method == "POST":
        try:
            application = services.submit_application(
                service=service,
                submitted_by=operator,
                data=request.POST.dict(),
                files=uploads_of(request),
                key=request.POST.get("key", ""),
            )
        except FormInvalid as invalid:
            errors, status = dict(invalid.errors), 422
        except DomainError as refused:
            problem = str(refused.message)
            status = refused.status if refused.status >= 400 else 400
        else:
            return redirect("applications:receipt", number=application.number)
    context = form_context(
        request,
        service=service,
        slots=slots,
        schema=schema,
        submitter=operator,
        errors=errors,
        problem=problem,
        status=status,
    )
    return render(request, "applications/apply.html", context, status=status)


def uploads_of(request: HttpRequest) -> dict[str, Any]:
    return {n: f for n in request.FILES if (f := request.FILES.get(n)) is not None}


# --- acknowledgement --------------------------------------------------------------------------


@allow(*READERS, reason=READ_REASON)
@require_safe
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    application = _visible(request, number)
    return render(
        request, "applications/receipt.html", {"a": application, "r": receipts.receipt(application)}
    )


@allow(*READERS, reason=READ_REASON)
@require_safe
def receipt_pdf(request: HttpRequest, number: str) -> HttpResponse:
    application = _visible(request, number)
    pdf = render_pdf("applications/receipt.typ", receipts.pdf_data(application))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{application.number}.pdf"'
    return response


# --- an application ---------------------------------------------------------------------------


@allow(*READERS, reason=READ_REASON)
@require_safe
def detail(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    application = _visible(request, number)
    definition = workflow.definition(application.workflow_ref)
    actions = services.allowed_actions(application, user)
    return render(
        request,
        "applications/detail.html",
        {
            "a": application,
            "r": receipts.receipt(application),
            "state": definition.states.get(application.state),
            "form_rows": receipts.form_rows(application),
            "events": receipts.history(application),
            "documents": application.documents.select_related("document"),
            "actions": actions,
            # Each action with the documents it may bring (a resubmission: any; any action:
            # those its target state requires, see workflow.py).
            "action_forms": [(a, services.action_slots(application, a)) for a in actions],
            "officers": selectors.assignable_officers(application)
            if any(a.code == "assign" for a in actions)
            else [],
        },
    )


@allow(
    Role.OPERATOR,
    Role.CITIZEN,
    Role.DEPARTMENT_OFFICER,
    Role.DEPARTMENT_ADMIN,
    reason="workflow actions; the definition and the scope decide who may take which",
)
@require_POST
def act(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    application = _visible(request, number)
    assignee = None
    if request.POST.get("assignee", "").isdigit():
        assignee = User.objects.filter(pk=int(request.POST["assignee"])).first()
    version = request.POST.get("version", "")
    try:
        services.act(
            application=application,
            action=request.POST.get("action", ""),
            actor=user,
            expected_version=int(version) if version.isdigit() else -1,
            note=request.POST.get("note", ""),
            assignee=assignee,
            files={n: f for n in request.FILES if (f := request.FILES.get(n)) is not None},
        )
    except FormInvalid as invalid:
        for message in invalid.errors.values():
            messages.error(request, str(message))
    except DomainError as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, _("Done."))
    return redirect("applications:detail", number=application.number)


@allow(*READERS, reason=READ_REASON)
@require_safe
def document(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """A document of an application, to those who may read the application; never a public
    URL. Sent with a sandboxing CSP so a browser runs nothing inside it."""
    application = _visible(request, number)
    attached = get_object_or_404(
        ApplicationDocument.objects.select_related("document"), application=application, pk=pk
    )
    stored = attached.document
    with open_document(stored) as handle:
        body = handle.read()  # at most DOCUMENT_MAX_BYTES
    response = HttpResponse(body, content_type=stored.content_type)
    extension = stored.file.name.rsplit(".", 1)[-1]
    disposition = "attachment" if request.GET.get("download") == "1" else "inline"
    response["Content-Disposition"] = (
        f'{disposition}; filename="{application.number}-{attached.slot}.{extension}"'
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the department inbox ---------------------------------------------------------------------


def _filters(request: HttpRequest, *, open_only: bool = True) -> selectors.InboxFilters:
    get = request.GET
    sla = get.get("sla", "")
    assigned = get.get("assigned", "")
    return selectors.InboxFilters(
        state=get.get("state", "")[:30],
        sla=sla if sla in selectors.SLA_CHOICES else "",
        district=get.get("district", "")[:60],
        service=get.get("service", "")[:60],
        assigned=assigned if assigned in ("me", "none") else "",
        q=get.get("q", "").strip()[:120],
        submitted_from=_day(get.get("from")),
        submitted_to=_day(get.get("to")),
        open_only=open_only,
    )


INBOX_CSV_HEADER = [
    "number",
    "service",
    "district",
    "state",
    "submitted_at",
    "due_at",
    "escalated",
    "assigned_to",
    "fee_rupees",
    "waiting_on",
]


def _inbox_csv(filename: str, rows: QuerySet[Application]) -> HttpResponse:
    """Every filtered row (not only the page shown). Escalation is the department's only:
    an application waiting on the citizen is marked so, not as escalated."""

    def citizen(a: Application) -> bool:
        return bool(getattr(a, "waiting_on_citizen", False))  # selectors.with_waiting_on

    return csv_response(
        filename,
        INBOX_CSV_HEADER,
        (
            (
                a.number,
                a.service.code,
                a.district.slug if a.district else "",
                a.state,
                to_ist(a.submitted_at).strftime("%Y-%m-%d %H:%M"),
                to_ist(a.due_at).strftime("%Y-%m-%d %H:%M") if a.due_at else "",
                "yes" if a.escalated_at and not citizen(a) else "",
                a.assigned_to.username if a.assigned_to else "",
                to_rupees(a.amount_paid),
                "citizen" if citizen(a) else "department",
            )
            for a in rows.iterator()
        ),
    )


def _list_context(
    request: HttpRequest, user: User, rows: QuerySet[Application], filters: selectors.InboxFilters
) -> dict[str, Any]:
    """What the inbox and the statewide list show: one page of rows, the filter choices."""
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    states = _state_labels()
    visible = selectors.visible_to(user)
    return {
        "rows": page.object_list,
        "page": page,
        "count": page.paginator.count,
        "filters": filters,
        "states": sorted(states.items()),
        "districts": [
            (d.slug, d.name)
            for d in District.objects.filter(pk__in=visible.values("district_id")).order_by(
                "name_en"
            )
        ],
        "services": Service.objects.filter(pk__in=visible.values("service_id")).order_by("name_en"),
        "labels": states,
        "query": _query_without_page(request),
    }


@allow(*STAFF, reason="department staff work on their department's applications in scope")
@require_http_methods(["GET", "HEAD", "POST"])
def inbox(request: HttpRequest) -> HttpResponse:
    """The work list (GET, with filters, pages and CSV) and its bulk actions (POST)."""
    user = _user(request)
    if request.method == "POST":
        return _bulk(request, user)
    filters = _filters(request)
    rows = selectors.inbox(user, filters)
    if request.GET.get("format") == "csv":
        return _inbox_csv("emitra-applications.csv", rows)
    context = _list_context(request, user, rows, filters)
    context["bulk_actions"] = [
        ("assign", _("Assign to me")),
        ("reject", _("Reject")),
        ("send_back", _("Send back to the citizen")),
    ]
    return render(request, "applications/inbox.html", context)


@allow(
    Role.STATE_ADMIN,
    Role.AUDITOR,
    reason="the state admin and the auditor read every application (no actions)",
)
@require_safe
def statewide(request: HttpRequest) -> HttpResponse:
    """Every application in the state, read only: the inbox's filters, pages and CSV."""
    user = _user(request)
    filters = _filters(request, open_only=False)
    rows = selectors.statewide(user, filters)
    if request.GET.get("format") == "csv":
        return _inbox_csv("emitra-applications-statewide.csv", rows)
    return render(
        request, "applications/statewide.html", _list_context(request, user, rows, filters)
    )


def _bulk(request: HttpRequest, user: User) -> HttpResponse:
    items: list[tuple[str, int]] = []
    for value in request.POST.getlist("item")[:200]:
        number, _sep, version = value.partition(":")
        if version.isdigit():
            items.append((number, int(version)))
    action = request.POST.get("action", "")
    if not items:
        messages.error(request, _("Choose at least one application."))
        return redirect("applications:inbox")
    outcomes = services.act_in_bulk(
        items=items, action=action, actor=user, note=request.POST.get("note", "")
    )
    return render(
        request,
        "applications/bulk_result.html",
        {"outcomes": outcomes, "done": sum(o.ok for o in outcomes)},
    )


# --- tracking by a citizen --------------------------------------------------------------------

TRACK_REASON = "a citizen tracks an application by its number and an OTP sent to its mobile"


def _tracked(request: HttpRequest) -> list[str]:
    return list(request.session.get(TRACKED_KEY, []))


@public(TRACK_REASON)
@require_http_methods(["GET", "HEAD", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Step 1: number + mobile. An OTP goes to the mobile only if they belong together, but
    the page says the same either way, so it cannot be used to learn whose number it is."""
    # ?number= comes from the link on an acknowledgement (its QR code's page).
    prefilled = request.GET.get("number", "").strip().upper()[:30]
    context: dict[str, Any] = {"number": prefilled, "mobile": "", "error": ""}
    if request.method == "POST":
        number = request.POST.get("number", "").strip().upper()[:30]
        mobile = request.POST.get("mobile", "").strip()[:14]
        context.update(number=number, mobile=mobile)
        try:
            clean_mobile = accounts_services._clean_mobile(mobile)
        except DomainError as refused:
            context["error"] = str(refused.message)
            return render(request, "applications/track.html", context, status=422)
        matches = Application.objects.filter(number=number, mobile=clean_mobile).exists()
        if matches:
            try:
                accounts_services.request_citizen_otp(mobile=clean_mobile)
            except DomainError as refused:
                context["error"] = str(refused.message)
                return render(request, "applications/track.html", context, status=429)
        request.session[PENDING_KEY] = {"number": number, "mobile": clean_mobile}
        return redirect("applications:track_otp")
    return render(request, "applications/track.html", context)


@public(TRACK_REASON)
@require_http_methods(["GET", "HEAD", "POST"])
def track_otp(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return redirect("applications:track")
    error = ""
    status = 200
    if request.method == "POST":
        try:
            citizen = accounts_services.verify_citizen_otp(
                mobile=pending["mobile"], code=request.POST.get("code", "")
            )
        except DomainError as refused:
            error = str(refused.message)
            status = 422
        else:
            application = Application.objects.filter(
                number=pending["number"], mobile=pending["mobile"]
            ).first()
            if application is None:
                error = _("The OTP is not correct.")
                status = 422
            else:
                services.link_citizen(application=application, citizen=citizen)
                request.session[TRACKED_KEY] = [*_tracked(request), application.number][-20:]
                del request.session[PENDING_KEY]
                return redirect("applications:track_status", number=application.number)
    return render(
        request,
        "applications/track_otp.html",
        {"number": pending["number"], "masked": receipts.mask(pending["mobile"]), "error": error},
        status=status,
    )


@public(TRACK_REASON + "; only after the OTP for this number was entered in this session")
@require_safe
def track_status(request: HttpRequest, number: str) -> HttpResponse:
    number = number.strip().upper()
    if number not in _tracked(request):
        return redirect("applications:track")
    application = get_object_or_404(Application.objects.select_related("service"), number=number)
    definition = workflow.definition(application.workflow_ref)
    return render(
        request,
        "applications/track_status.html",
        {
            "a": application,
            "state": definition.states.get(application.state),
            "events": receipts.history(application, public=True),
        },
    )
