"""Kiosk pages of the family registry (enrol, verify, consent, prefill, schemes), the
citizen's own record of who read their family's data, and the public eligibility checker."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from emitra.accounts.access import allow
from emitra.accounts.forms import CodeForm
from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.core.access import public
from emitra.core.errors import DomainError, NotFound
from emitra.core.exports import csv_response
from emitra.core.money import format_inr
from emitra.core.timeutil import to_ist
from emitra.geo.models import UrbanBody
from emitra.registry import eligibility, selectors, services
from emitra.registry.forms import (
    ChangeFilterForm,
    CheckerForm,
    ConsentForm,
    FamilyForm,
    MemberForm,
    RejectForm,
)
from emitra.registry.models import (
    AccessWhat,
    ChangeRequest,
    ChangeState,
    ConsentGrant,
    ConsentRequest,
    Family,
    Member,
)
from emitra.registry.prefill import GRANT_PARAM

KIOSK = "kiosk operators submit registry changes and read a family's data with its OTP consent"
CONSENT = (
    "a kiosk operator, or a citizen applying on the portal, reads a family's data only after "
    "the OTP sent to the family's registered mobile"
)
VERIFY = "the district society verifies registry changes of its district; operators track theirs"


SESSION_NEXT = "registry_consent_next_"


def _safe_next(request: HttpRequest) -> str:
    """A same-site URL to return to after consent (an application form), or ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed and target.startswith("/") else ""


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@allow(Role.OPERATOR, reason=KIOSK)
@require_http_methods(["GET", "HEAD", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    family_form = FamilyForm(data)
    head_form = MemberForm(data, prefix="head", head=True)
    status = 200
    if request.method == "POST":
        status = 422
        if family_form.is_valid() and head_form.is_valid():
            try:
                change = services.submit_enrolment(
                    operator=_user(request),
                    family=family_form.to_input(),
                    members=[head_form.to_input()],
                )
            except DomainError as exc:
                family_form.add_error(None, str(exc.message))
                status = exc.status if exc.status != 400 else 422
            else:
                messages.success(
                    request,
                    _("Request %(number)s is waiting for verification.")
                    % {"number": change.number},
                )
                return redirect("registry:change", change.number)
    return render(
        request,
        "registry/enrol.html",
        {"family_form": family_form, "head_form": head_form},
        status=status,
    )


@allow(Role.OPERATOR, reason=KIOSK)
@require_safe
def urban_body_picker(request: HttpRequest) -> HttpResponse:
    """<option>s of the urban bodies of a district (HTMX, when the district changes)."""
    district = request.GET.get("district", "")[:40]
    bodies = UrbanBody.objects.filter(district__slug=district) if district else []
    return render(
        request, "registry/_options.html", {"options": [(u.lgd_code, u.name) for u in bodies]}
    )


@allow(Role.OPERATOR, Role.DISTRICT_ADMIN, reason=VERIFY)
@require_safe
def changes(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    districts, submitters = selectors.change_filter_options(user)
    asked = {k: v for k, v in request.GET.items() if k != "format" and v}
    form = ChangeFilterForm(asked, districts=districts, submitters=submitters)
    if not form.is_valid():
        return render(
            request,
            "registry/changes.html",
            {"changes": [], "form": form, "csv_query": ""},
            status=400,
        )
    rows = selectors.changes_visible_to(user, filters=form.filters())
    if request.GET.get("format") == "csv":
        return csv_response(
            "emitra-registry-requests.csv",
            [
                "number",
                "kind",
                "state",
                "district",
                "family_id",
                "submitted_by",
                "submitted_at",
                "decided_at",
            ],
            (
                (
                    c.number,
                    c.kind,
                    c.state,
                    c.district.name_en,
                    c.family.family_id if c.family else "",
                    c.submitted_by.username,
                    to_ist(c.submitted_at).strftime("%Y-%m-%d %H:%M:%S"),
                    to_ist(c.decided_at).strftime("%Y-%m-%d %H:%M:%S") if c.decided_at else "",
                )
                for c in rows.iterator()
            ),
        )
    return render(
        request,
        "registry/changes.html",
        {"changes": rows[:200], "form": form, "csv_query": urlencode({**asked, "format": "csv"})},
    )


def _visible_change(user: User, number: str) -> ChangeRequest:
    found = selectors.changes_visible_to(user).filter(number=number).first()
    if found is None:
        raise Http404(number)
    return found


SUMMARY_LABELS: dict[str, Any] = {
    "mobile": gettext_lazy("Registered mobile number"),
    "district": gettext_lazy("District"),
    "block": gettext_lazy("Panchayat samiti (block)"),
    "gram_panchayat": gettext_lazy("Gram panchayat"),
    "urban_body": gettext_lazy("Urban body"),
    "address": gettext_lazy("Address"),
    "pincode": gettext_lazy("PIN code"),
    "member_id": gettext_lazy("Member ID"),
    "name_en": gettext_lazy("Name (English)"),
    "name_hi": gettext_lazy("Name (Hindi)"),
    "relative_name_en": gettext_lazy("Father's or husband's name (English)"),
    "relative_name_hi": gettext_lazy("Father's or husband's name (Hindi)"),
    "gender": gettext_lazy("Gender"),
    "date_of_birth": gettext_lazy("Date of birth"),
    "relation": gettext_lazy("Relation to the head"),
    "category": gettext_lazy("Social category"),
    "annual_income": gettext_lazy("Annual income"),
    "disability_percent": gettext_lazy("Disability (%)"),
    "marital_status": gettext_lazy("Marital status"),
    "occupation": gettext_lazy("Occupation"),
    "ifsc": gettext_lazy("IFSC"),
    "aadhaar": gettext_lazy("Aadhaar"),
    "bank_account": gettext_lazy("Bank account"),
}


def _rows(values: dict[str, Any] | None) -> list[tuple[Any, Any]]:
    """A masked summary as (label, value) rows; tokens are for the record, not for reading."""
    rows = []
    for key, value in (values or {}).items():
        if key in SUMMARY_LABELS:
            shown = format_inr(int(value)) if key == "annual_income" else value
            rows.append((SUMMARY_LABELS[key], shown))
    return rows


@allow(Role.OPERATOR, Role.DISTRICT_ADMIN, reason=VERIFY)
@require_safe
def change(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    found = _visible_change(user, number)
    summary = found.summary
    return render(
        request,
        "registry/change.html",
        {
            "family_rows": _rows(summary.get("family")),
            "member_rows": [_rows(m) for m in summary.get("members", [])],
            "before_rows": _rows(summary.get("before")),
            "after_rows": _rows(summary.get("after")),
            "change": found,
            "can_decide": found.state == ChangeState.PENDING and services.can_verify(user, found),
            "reject_form": RejectForm(),
            "history": found.history.select_related("member").all(),
        },
    )


@allow(Role.DISTRICT_ADMIN, reason=VERIFY)
@require_POST
def approve(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    found = _visible_change(user, number)
    try:
        decided = services.approve_change(verifier=user, change=found)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        family = decided.family.family_id if decided.family else ""
        messages.success(
            request, _("Approved. Jan Aadhaar family ID: %(family)s.") % {"family": family}
        )
    return redirect("registry:change", number)


@allow(Role.DISTRICT_ADMIN, reason=VERIFY)
@require_POST
def reject(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    found = _visible_change(user, number)
    form = RejectForm(request.POST)
    try:
        services.reject_change(
            verifier=user, change=found, reason=request.POST.get("reason", "") if form else ""
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Rejected."))
    return redirect("registry:change", number)


# --- consent, prefill, schemes -------------------------------------------------------------------


@allow(Role.OPERATOR, Role.CITIZEN, reason=CONSENT)
@require_http_methods(["GET", "HEAD", "POST"])
def consent(request: HttpRequest) -> HttpResponse:
    form = ConsentForm(
        request.POST or None,
        initial={"purpose": request.GET.get("purpose", "")},
        citizen=_user(request).role == Role.CITIZEN,
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                asked = services.request_consent(
                    requester=_user(request),
                    family_id=form.cleaned_data["family_id"],
                    member_id=form.cleaned_data["member_id"],
                    purpose=form.cleaned_data["purpose"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status if exc.status != 400 else 422
            else:
                if nxt := _safe_next(request):
                    request.session[f"{SESSION_NEXT}{asked.pk}"] = nxt
                return redirect("registry:consent_verify", asked.pk)
    return render(
        request,
        "registry/consent.html",
        {"form": form, "next": _safe_next(request)},
        status=status,
    )


@allow(Role.OPERATOR, Role.CITIZEN, reason=CONSENT)
@require_http_methods(["GET", "HEAD", "POST"])
def consent_verify(request: HttpRequest, pk: int) -> HttpResponse:
    asked = get_object_or_404(
        ConsentRequest.objects.select_related("family"), pk=pk, requester=_user(request)
    )
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                grant = services.verify_consent(
                    requester=_user(request), consent=asked, code=form.cleaned_data["code"]
                )
            except DomainError as exc:
                form.add_error("code", str(exc.message))
            else:
                if nxt := request.session.pop(f"{SESSION_NEXT}{asked.pk}", ""):
                    # Back to the application form that asked, with the grant to fill it from.
                    member = grant.member.member_id if grant.member else ""
                    query = urlencode({GRANT_PARAM: grant.token, "member": member})
                    return redirect(f"{nxt}{'&' if '?' in nxt else '?'}{query}")
                return redirect("registry:grant", grant.token)
    return render(
        request, "registry/consent_verify.html", {"form": form, "asked": asked}, status=status
    )


def _grant_or_expired(request: HttpRequest, token: str) -> ConsentGrant | HttpResponse:
    try:
        return services.live_grant(requester=_user(request), token=token)
    except NotFound as exc:
        raise Http404(token) from exc
    except DomainError as exc:
        return render(request, "registry/expired.html", {"message": exc.message}, status=410)


@allow(Role.OPERATOR, Role.CITIZEN, reason=CONSENT)
@require_safe
def grant(request: HttpRequest, token: str) -> HttpResponse:
    found = _grant_or_expired(request, token)
    if isinstance(found, HttpResponse):
        return found
    members = list(selectors.members_of(found))
    services.record_access(grant=found, member=None, what=AccessWhat.MEMBERS)
    return render(request, "registry/grant.html", {"grant": found, "members": members})


@allow(Role.OPERATOR, Role.CITIZEN, reason=CONSENT)
@require_safe
def prefill(request: HttpRequest, token: str) -> HttpResponse:
    """A member's data for an application form: HTML, or JSON with ``?format=json`` (what a
    form's "Fill from Jan Aadhaar" button fetches). Every call is an access record."""
    wants_json = request.GET.get("format") == "json"
    try:
        found = services.live_grant(requester=_user(request), token=token)
        values = selectors.prefill_for(found, member_id=request.GET.get("member") or None)
    except NotFound as exc:
        if wants_json:
            return JsonResponse({"error": exc.code, "message": str(exc.message)}, status=404)
        raise Http404(token) from exc
    except DomainError as exc:
        status = 410 if exc.code == "registry.consent_expired" else exc.status
        if wants_json:
            return JsonResponse({"error": exc.code, "message": str(exc.message)}, status=status)
        return render(request, "registry/expired.html", {"message": exc.message}, status=status)
    if wants_json:
        return JsonResponse({"fields": values, "expires_at": found.expires_at.isoformat()})
    return render(request, "registry/prefill.html", {"grant": found, "values": values})


@allow(Role.OPERATOR, Role.CITIZEN, reason=CONSENT)
@require_safe
def family_schemes(request: HttpRequest, token: str) -> HttpResponse:
    found = _grant_or_expired(request, token)
    if isinstance(found, HttpResponse):
        return found
    rows = selectors.family_schemes(found)
    return render(request, "registry/family_schemes.html", {"grant": found, "rows": rows})


@allow(Role.OPERATOR, reason=KIOSK)
@require_http_methods(["GET", "HEAD", "POST"])
def add_member(request: HttpRequest, token: str) -> HttpResponse:
    found = _grant_or_expired(request, token)
    if isinstance(found, HttpResponse):
        return found
    form = MemberForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                submitted = services.submit_new_member(
                    operator=_user(request), family=found.family, member=form.to_input()
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(
                    request,
                    _("Request %(number)s is waiting for verification.")
                    % {"number": submitted.number},
                )
                return redirect("registry:change", submitted.number)
    return render(
        request, "registry/member_form.html", {"form": form, "grant": found}, status=status
    )


@allow(Role.OPERATOR, reason=KIOSK)
@require_http_methods(["GET", "HEAD", "POST"])
def edit_member(request: HttpRequest, token: str, member_id: str) -> HttpResponse:
    found = _grant_or_expired(request, token)
    if isinstance(found, HttpResponse):
        return found
    member: Member | None = selectors.members_of(found).filter(member_id=member_id).first()
    if member is None:
        raise Http404(member_id)
    initial: dict[str, Any] = {
        name: getattr(member, name) for name in services.MEMBER_FIELDS if name != "annual_income"
    }
    initial["annual_income"] = str(member.annual_income // 100)
    form = MemberForm(request.POST or None, initial=initial, head=member.relation == "head")
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                submitted = services.submit_member_update(
                    operator=_user(request), member=member, changes=form.to_input()
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(
                    request,
                    _("Request %(number)s is waiting for verification.")
                    % {"number": submitted.number},
                )
                return redirect("registry:change", submitted.number)
    return render(
        request,
        "registry/member_form.html",
        {"form": form, "grant": found, "member": member},
        status=status,
    )


# --- citizens and the public ---------------------------------------------------------------------


@allow(Role.CITIZEN, reason="a citizen sees their own family's record and who read it")
@require_safe
def my_family(request: HttpRequest) -> HttpResponse:
    families = [
        {
            "family": family,
            "members": list(family.members.all()),
            "accesses": list(selectors.access_log(family)[:200]),
            "schemes": selectors.own_family_schemes(family),
            "history": list(selectors.history_of(family)[:100]),
        }
        for family in selectors.families_of_citizen(_user(request))
    ]
    return render(request, "registry/my_family.html", {"families": families})


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(value: str) -> str:
    """Free text in a CSV cell, never read by Excel as a formula."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _own_family(request: HttpRequest, family_id: str) -> Family:
    found = selectors.families_of_citizen(_user(request)).filter(family_id=family_id).first()
    if found is None:
        raise Http404(family_id)
    return found


@allow(Role.CITIZEN, reason="a citizen downloads who read their own family's data")
@require_safe
def my_family_accesses_csv(request: HttpRequest, family_id: str) -> HttpResponse:
    family = _own_family(request, family_id)
    return csv_response(
        f"jan-aadhaar-{family.family_id}-access-log.csv",
        [_("When (IST)"), _("Who"), _("Purpose"), _("What"), _("Member ID")],
        (
            (
                to_ist(a.at).strftime("%Y-%m-%d %H:%M:%S"),
                _text_cell(a.accessor_label),
                a.get_purpose_display(),
                a.get_what_display(),
                a.member.member_id if a.member else "",
            )
            for a in selectors.access_log(family).iterator()
        ),
    )


@allow(Role.CITIZEN, reason="a citizen downloads the changes to their own family's record")
@require_safe
def my_family_history_csv(request: HttpRequest, family_id: str) -> HttpResponse:
    family = _own_family(request, family_id)
    return csv_response(
        f"jan-aadhaar-{family.family_id}-changes.csv",
        [_("When (IST)"), _("Request number"), _("Kind"), _("Member ID")],
        (
            (
                to_ist(h.at).strftime("%Y-%m-%d %H:%M:%S"),
                h.change.number,
                h.change.get_kind_display(),
                h.member.member_id if h.member else "",
            )
            for h in selectors.history_of(family).iterator()
        ),
    )


@public("anyone may check which schemes fit their circumstances, without saying who they are")
@require_safe
def checker(request: HttpRequest) -> HttpResponse:
    form = CheckerForm(request.GET or None)
    answers = None
    if request.GET and form.is_valid():
        answers = eligibility.answers(form.facts())
    return render(request, "registry/checker.html", {"form": form, "answers": answers})
