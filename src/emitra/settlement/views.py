"""The state admin's settlement pages: settlements (list, detail, file) and the mismatch report
with its actions. The auditor reads everything; only the state admin acts."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from emitra.accounts.access import allow
from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.catalog.models import Department
from emitra.core.errors import DomainError
from emitra.core.exports import csv_response
from emitra.core.money import plain_rupees
from emitra.core.timeutil import format_ist
from emitra.settlement import documents, gateway_orders, services
from emitra.settlement.models import (
    Mismatch,
    MismatchKind,
    MismatchState,
    Settlement,
    Source,
)

READ = "state finance staff and the auditor review settlements and reconciliation"
ACT = "only the state admin resolves mismatches"
PAGE_SIZE = 50


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()[:10]) if value else None
    except ValueError:
        return None


def _amount(paise: int | None) -> str:
    return "" if paise is None else plain_rupees(paise)


@allow(Role.STATE_ADMIN, Role.AUDITOR, reason=READ)
@require_safe
def settlement_list(request: HttpRequest) -> HttpResponse:
    department = request.GET.get("department", "")[:20]
    first, last = _day(request.GET.get("from")), _day(request.GET.get("to"))
    found: QuerySet[Settlement] = Settlement.objects.select_related("department")
    if department:
        found = found.filter(department__code=department)
    if first:
        found = found.filter(day__gte=first)
    if last:
        found = found.filter(day__lte=last)
    if request.GET.get("format") == "csv":
        return csv_response(
            "settlements.csv",
            [
                _("Settlement no."),
                _("Department"),
                _("Day (IST)"),
                _("Total (INR)"),
                _("Transactions"),
                _("Ledger transaction"),
                _("File checksum (SHA-256)"),
            ],
            (
                [
                    s.number,
                    s.department.code,
                    s.day.isoformat(),
                    _amount(s.total),
                    s.transaction_count,
                    s.journal_transaction_id or "",
                    s.file_checksum,
                ]
                for s in found.iterator()
            ),
        )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "settlement/list.html",
        {
            "page": page,
            "departments": Department.objects.order_by("code"),
            "department": department,
            "raw_from": first.isoformat() if first else "",
            "raw_to": last.isoformat() if last else "",
            "query": request.GET.urlencode(),
        },
    )


@allow(Role.STATE_ADMIN, Role.AUDITOR, reason=READ)
@require_safe
def settlement_detail(request: HttpRequest, number: str) -> HttpResponse:
    settlement = get_object_or_404(Settlement.objects.select_related("department"), number=number)
    heads = sorted(settlement.head_totals.items())
    return render(request, "settlement/detail.html", {"settlement": settlement, "heads": heads})


@allow(Role.STATE_ADMIN, Role.AUDITOR, reason=READ)
@require_safe
def settlement_file(request: HttpRequest, number: str) -> HttpResponse:
    settlement = get_object_or_404(Settlement, number=number)
    response = HttpResponse(settlement.file_csv, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{settlement.file_name}"'
    response["X-Checksum-SHA256"] = settlement.file_checksum
    return response


@allow(Role.STATE_ADMIN, Role.AUDITOR, reason=READ)
@require_safe
def settlement_pdf(request: HttpRequest, number: str) -> HttpResponse:
    settlement = get_object_or_404(Settlement.objects.select_related("department"), number=number)
    response = HttpResponse(documents.render_pdf(settlement), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{settlement.number}.pdf"'
    return response


def _mismatches(request: HttpRequest) -> tuple[QuerySet[Mismatch], dict[str, str]]:
    filters = {
        "source": request.GET.get("source", "")[:10],
        "state": request.GET.get("state", MismatchState.OPEN)[:10],
        "day": request.GET.get("day", "")[:10],
    }
    found: QuerySet[Mismatch] = Mismatch.objects.select_related("resolved_by", "topup")
    if filters["source"] in Source.values:
        found = found.filter(source=filters["source"])
    if filters["state"] in MismatchState.values:
        found = found.filter(state=filters["state"])
    if (day := _day(filters["day"])) is not None:
        found = found.filter(day=day)
    return found, filters


def _order_label(mismatch: Mismatch) -> str:
    """Which kind of our gateway orders a mismatch concerns; a gateway order that is none of
    ours is "unknown", and a biller's mismatch concerns no gateway order."""
    if mismatch.order_kind:
        return gateway_orders.label_of(mismatch.order_kind)
    return _("Unknown order") if mismatch.source == Source.GATEWAY else ""


def _order(mismatch: Mismatch, *, link: bool) -> tuple[str, str]:
    """The order's kind and, for back-office users, the admin page of the order."""
    url = ""
    source = gateway_orders.source_of(mismatch.order_kind) if mismatch.order_kind else None
    if link and source is not None and source.admin_url_name and mismatch.order_pk is not None:
        try:
            url = reverse(source.admin_url_name, args=[mismatch.order_pk])
        except NoReverseMatch:
            url = ""
    return _order_label(mismatch), url


@allow(Role.STATE_ADMIN, Role.AUDITOR, reason=READ)
@require_safe
def mismatch_list(request: HttpRequest) -> HttpResponse:
    found, filters = _mismatches(request)
    if request.GET.get("format") == "csv":
        return csv_response(
            "mismatches.csv",
            [
                _("Day (IST)"),
                _("Source"),
                _("Partner"),
                _("Reference"),
                _("Kind"),
                _("Order kind"),
                _("Our amount (INR)"),
                _("Their amount (INR)"),
                _("Detail"),
                _("State"),
                _("Resolution note"),
                _("Resolved by"),
                _("Resolved at"),
            ],
            (
                [
                    m.day.isoformat(),
                    m.get_source_display(),
                    m.partner,
                    m.reference,
                    m.get_kind_display(),
                    _order_label(m),
                    _amount(m.ours),
                    _amount(m.theirs),
                    m.detail,
                    m.get_state_display(),
                    m.resolution_note,
                    m.resolved_by.username if m.resolved_by else "",
                    format_ist(m.resolved_at),
                ]
                for m in found.iterator()
            ),
        )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    staff = isinstance(user, User) and user.is_staff
    return render(
        request,
        "settlement/mismatches.html",
        {
            "page": page,
            "rows": [(m, *_order(m, link=staff)) for m in page],
            "filters": filters,
            "sources": Source.choices,
            "states": MismatchState.choices,
            "can_act": isinstance(user, User) and user.role == Role.STATE_ADMIN,
            "recheckable": MismatchKind.MISSING_OURS,
            "query": request.GET.urlencode(),
        },
    )


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not target.startswith("/settlement/mismatches/"):
        target = reverse("settlement:mismatches")
    return redirect(target)


@allow(Role.STATE_ADMIN, reason=ACT)
@require_POST
def mismatch_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    assert isinstance(request.user, User)
    try:
        mismatch = services.resolve_mismatch(
            mismatch_id=pk, actor=request.user, note=request.POST.get("note", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Mismatch %(ref)s resolved.") % {"ref": mismatch.reference})
    return _back(request)


@allow(Role.STATE_ADMIN, reason=ACT)
@require_POST
def mismatch_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    assert isinstance(request.user, User)
    try:
        mismatch = services.recheck_topup(mismatch_id=pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        if mismatch.state == MismatchState.RESOLVED:
            messages.success(
                request,
                _(
                    "The gateway confirmed the payment; the wallet is credited and %(ref)s is "
                    "resolved."
                )
                % {"ref": mismatch.reference},
            )
        else:
            messages.info(
                request,
                _("The gateway's status check did not credit %(ref)s; it stays open.")
                % {"ref": mismatch.reference},
            )
    return _back(request)
