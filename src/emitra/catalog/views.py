"""Catalog pages: department pages for department staff and the state (/departments/), and
the public catalog under /services/ — search and browse, a service's page with its fee
breakdown, its application form (checked on the server), and the printable rate list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from emitra.accounts.access import allow
from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.catalog import formschema, pricing, search, selectors
from emitra.catalog.models import (
    KIOSK_CATEGORIES,
    OPERATOR_CHANNELS,
    Channel,
    ChargeRule,
    ServiceType,
)
from emitra.core.access import public
from emitra.core.errors import DomainError
from emitra.core.exports import csv_response
from emitra.core.money import Paise, parse_rupees

_STAFF = (Role.STATE_ADMIN, Role.AUDITOR, Role.DEPARTMENT_ADMIN, Role.DEPARTMENT_OFFICER)


@allow(*_STAFF, reason="department staff see their own department; the state sees all")
def departments(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    assert isinstance(viewer, User)
    rows = selectors.departments_visible_to(viewer)
    query = request.GET.get("q", "").strip()[:60]
    if query:
        rows = rows.filter(name_en__icontains=query) | rows.filter(name_hi__icontains=query)
    if request.GET.get("format") == "csv":
        return csv_response(
            "emitra-departments.csv",
            ["code", "name_en", "name_hi", "active", "staff"],
            (
                (d.code, d.name_en, d.name_hi, d.is_active, getattr(d, "staff_count", 0))
                for d in rows
            ),
        )
    return render(request, "catalog/departments.html", {"departments": rows, "q": query})


@allow(*_STAFF, reason="a department's own staff, or statewide roles")
def department(request: HttpRequest, code: str) -> HttpResponse:
    viewer = request.user
    assert isinstance(viewer, User)
    found = selectors.department_for(viewer, code)
    staff = found.staff.select_related("user").order_by("user__full_name")
    return render(request, "catalog/department.html", {"department": found, "staff": staff})


# --- the public catalog (/services/) --------------------------------------------------------

PUBLIC = "The service catalog, its fees and forms are public information for every citizen."
EXAMPLE_AMOUNT = Paise(1_000_00)


def _filters(request: HttpRequest) -> dict[str, str]:
    wanted = {
        "department": request.GET.get("department", "")[:20],
        "service_type": request.GET.get("type", "")[:4],
        "channel": request.GET.get("channel", "")[:10],
        "category": request.GET.get("category", "")[:30],
    }
    if wanted["service_type"] not in ServiceType.values:
        wanted["service_type"] = ""
    if wanted["channel"] not in Channel.values:
        wanted["channel"] = ""
    return wanted


@public(PUBLIC)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    filters = _filters(request)
    searching = bool(query or any(filters.values()))
    results = []
    if searching:
        hits = search.search(query, limit=50 if query else 500, **filters)
        results = selectors.services_by_code([hit.code for hit in hits])
    departments = selectors.departments_with_services()
    return render(
        request,
        "catalog/services/index.html",
        {
            "q": query,
            "filters": filters,
            "searching": searching,
            "results": results,
            "departments": departments,
            "categories": selectors.categories_with_services(),
            "types": ServiceType.choices,
            "channels": Channel.choices,
        },
    )


@public(PUBLIC)
@require_safe
def department_services(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.public_department(code)
    services = selectors.offered_services().filter(department=found)
    return render(
        request,
        "catalog/services/list.html",
        {"heading": found, "services": services, "department": found},
    )


@public(PUBLIC)
@require_safe
def category(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.public_category(code)
    services = selectors.offered_services().filter(category=found)
    return render(request, "catalog/services/list.html", {"heading": found, "services": services})


def _quote_request(request: HttpRequest, channels: list[str]) -> dict[str, Any]:
    channel = request.GET.get("channel", "")
    if channel not in channels:
        channel = Channel.KIOSK if Channel.KIOSK in channels else channels[0]
    category_ = request.GET.get("category", "B")
    if category_ not in KIOSK_CATEGORIES:
        category_ = "B"
    return {"channel": channel, "kiosk_category": category_}


@public(PUBLIC)
@require_safe
def service(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.public_service(code)
    version = selectors.version_in_force(found)
    asked = _quote_request(request, list(found.channels))
    amount = Paise(0)
    amount_error = ""
    if version is not None and version.collects_amount:
        amount = EXAMPLE_AMOUNT
        if request.GET.get("amount"):
            try:
                amount = parse_rupees(request.GET["amount"])
            except DomainError as error:
                amount_error = str(error.message)
    quote = None
    if version is not None and not amount_error:
        try:
            quote = pricing.quote(service=found, amount=amount, **asked)
        except DomainError as error:
            amount_error = str(error.message)
    return render(
        request,
        "catalog/services/service.html",
        {
            "service": found,
            "version": version,
            "quote": quote,
            "asked": asked,
            "amount": amount,
            "amount_error": amount_error,
            "operator_channel": asked["channel"] in OPERATOR_CHANNELS,
            "channels": [(c, Channel(c).label) for c in found.channels],
            "categories": KIOSK_CATEGORIES,
            "slab": version is not None
            and version.charge_rule in (ChargeRule.COLLECTION, ChargeRule.BILL_DEPARTMENT_PAID),
            "rate_card": quote.rate_card if quote else selectors.rate_card_in_force(),
            "documents": list(found.documents.all()),
        },
    )


@public(PUBLIC)
@require_http_methods(["GET", "HEAD", "POST"])
def service_form(request: HttpRequest, code: str) -> HttpResponse:
    """The application form of the version in force, validated on the server.

    Submitting only checks the form and shows what would be sent (Aadhaar masked): filing
    an application arrives with the applications app."""
    found = selectors.public_service(code)
    version = selectors.version_in_force(found)
    if version is None or not version.form_schema:
        raise Http404(code)
    schema = version.form_schema
    if request.method == "POST":
        uploads = {name: f for name in request.FILES if (f := request.FILES.get(name)) is not None}
        bound = formschema.bind(schema, request.POST.dict(), uploads)
    else:
        bound = formschema.bind(schema, request.GET.dict(), validate=False)
    _link_pickers(bound, schema)
    return render(
        request,
        "catalog/services/form.html",
        {
            "service": found,
            "version": version,
            "form": bound,
            "submitted": request.method == "POST",
            "title_hi": schema.get("x-title-hi", ""),
            "title_en": schema.get("title", ""),
        },
        status=422 if request.method == "POST" and not bound.is_valid else 200,
    )


def _link_pickers(bound: formschema.BoundForm, schema: dict[str, Any]) -> None:
    """A district picker refreshes its block picker, a block picker its GP picker (HTMX)."""
    by_name = {f.name: f for f in bound.fields}
    for name, spec in formschema.ordered_properties(schema):
        for ref, kind in (("x-district-field", "block"), ("x-block-field", "gram_panchayat")):
            parent = by_name.get(spec.get(ref, ""))
            if parent is not None:
                parent.picker_url = reverse("services:picker", args=[kind])
                parent.picker_target = f"#f-{name}"


@public(PUBLIC)
@require_safe
def picker(request: HttpRequest, kind: str) -> HttpResponse:
    """<option>s of the blocks of a district or the GPs of a block (the parent's value is the
    request's one parameter, whatever the form named its field)."""
    if kind not in ("block", "gram_panchayat"):
        raise Http404(kind)
    parent = str(next(iter(request.GET.dict().values()), ""))[:40]
    return render(
        request,
        "catalog/services/_options.html",
        {"options": formschema.picker_options(kind, parent)},
    )


@public(PUBLIC)
@require_safe
def rate_list(request: HttpRequest) -> HttpResponse:
    """The bilingual rate list a kiosk must display, laid out for printing."""
    at: datetime | None = None
    rates = pricing.rate_list(at)
    if rates is None:
        raise Http404("no rate card")
    return render(
        request,
        "catalog/services/rate_list.html",
        {"rates": rates, "card": rates.rate_card, "count": len(rates.rows)},
    )
