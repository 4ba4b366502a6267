"""Certificate pages: the public verify page (by QR payload or by number and name, with a
check of an uploaded PDF), the published QR key and CA certificate (for offline checks), and
for staff the list, a certificate's page, its download and its revocation."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from emitra.accounts.access import allow, signed_in
from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.certificates import selectors, services, signing
from emitra.certificates.forms import FileCheckForm, NumberForm, RevokeForm
from emitra.certificates.kinds import KINDS, kind_choices
from emitra.certificates.models import Certificate, CertificateStatus
from emitra.core.access import public
from emitra.core.context import client_ip_var
from emitra.core.errors import DomainError
from emitra.core.exports import csv_response
from emitra.core.timeutil import to_ist

# Look-ups by number a client address may make per window, so the page cannot be used to
# walk the number series (QR look-ups need a signed payload and are not counted).
LOOKUP_LIMIT = 20
LOOKUP_WINDOW_SECONDS = 600
PAGE_SIZE = 50  # the list's rows per page (the CSV has every filtered row)
STAFF_ROLES = (Role.DEPARTMENT_OFFICER, Role.DEPARTMENT_ADMIN, Role.STATE_ADMIN, Role.AUDITOR)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _lookup_allowed(request: HttpRequest) -> bool:
    address = client_ip_var.get() or request.META.get("REMOTE_ADDR", "") or "unknown"
    key = f"certificates:lookup:{address}"
    cache.add(key, 0, LOOKUP_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, LOOKUP_WINDOW_SECONDS)
        count = 1
    return count <= LOOKUP_LIMIT


@public("anyone holding a certificate or shown one must be able to check it is genuine")
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    qr_payload = source.get("p", "").strip()
    number_form = NumberForm(source if ("number" in source and not qr_payload) else None)
    verification: selectors.Verification | None = None
    limited = False
    if qr_payload:
        verification = selectors.verify_payload(qr_payload)
    elif number_form.is_bound and number_form.is_valid():
        if _lookup_allowed(request):
            verification = selectors.verify_number(
                number_form.cleaned_data["number"], number_form.cleaned_data["name"]
            )
        else:
            limited = True

    file_form: FileCheckForm | None = None
    file_matches: bool | None = None
    cert = verification.certificate if verification else None
    if cert is not None:
        initial = {
            "number": cert.number,
            "p": qr_payload,
            "name": number_form.cleaned_data.get("name", "") if number_form.is_bound else "",
        }
        if request.method == "POST":
            file_form = FileCheckForm(request.POST, request.FILES, initial=initial)
            if file_form.is_valid() and file_form.cleaned_data["number"] == cert.number:
                document = file_form.cleaned_data["document"]
                file_matches = selectors.file_matches(cert, document.read())
        else:
            file_form = FileCheckForm(initial=initial)
    status = 429 if limited else 200
    return render(
        request,
        "certificates/verify.html",
        {
            "number_form": number_form if not qr_payload else NumberForm(),
            "verification": verification,
            "cert": cert,
            "limited": limited,
            "file_form": file_form,
            "file_matches": file_matches,
            "qr_payload": qr_payload,
            "key_url": "key",
            "ca": _ca_info(),
        },
        status=status,
    )


@public("the QR public key is published so apps can verify certificates offline")
@require_safe
def verify_key(request: HttpRequest) -> HttpResponse:
    raw = signing.qr_public_key_raw()
    return JsonResponse(
        {
            "alg": "Ed25519",
            "keys": [
                {
                    "kid": signing.qr_key_id(raw),
                    "public_key": base64.urlsafe_b64encode(raw).decode().rstrip("="),
                }
            ],
            "payload": "base64url(JSON [1, kid, number, kind, issue_date, holder_name_en, "
            "content_sha256]) '.' base64url(Ed25519 signature over the JSON bytes)",
        }
    )


@public(
    "the CA certificate is published so anyone can check a certificate PDF's signature offline "
    "(in a PDF reader or with pyHanko); it is a public certificate, not a key"
)
@require_safe
def verify_ca(request: HttpRequest) -> HttpResponse:
    try:
        pem = signing.ca_certificate_pem()
    except (signing.SigningNotConfigured, ValueError) as exc:
        raise Http404("no CA certificate") from exc
    response = HttpResponse(pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="emitra-ca.pem"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _ca_info() -> signing.CaInfo | None:
    try:
        return signing.ca_info()
    except (signing.SigningNotConfigured, ValueError):
        return None


def _certificate_for(request: HttpRequest, number: str) -> Certificate:
    cert = selectors.by_number(number)
    # Not found and not allowed look the same: a number says nothing about whose it is.
    if cert is None or not selectors.can_download(_user(request), cert):
        raise Http404(number)
    return cert


@signed_in("a certificate's holder, their operator and the issuing department may download it")
@require_safe
def download(request: HttpRequest, number: str) -> HttpResponse:
    cert = _certificate_for(request, number)
    # A certificate is tens of kilobytes: read it whole (works with any storage backend).
    with cert.pdf.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{cert.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@signed_in("the certificate's page shows what its download does, to those who may download it")
@require_safe
def detail(request: HttpRequest, number: str) -> HttpResponse:
    cert = _certificate_for(request, number)
    user = _user(request)
    return render(
        request,
        "certificates/detail.html",
        {
            "cert": cert,
            "kind": KINDS[cert.kind],
            "can_revoke": not cert.is_revoked and services.can_revoke(user, cert),
            "revoke_form": RevokeForm(),
        },
    )


@allow(Role.DEPARTMENT_ADMIN, Role.STATE_ADMIN, reason="revocation is the issuing side's act")
@require_POST
def revoke(request: HttpRequest, number: str) -> HttpResponse:
    cert = _certificate_for(request, number)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.revoke_certificate(
                certificate=cert, by=_user(request), reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return render(
                request,
                "certificates/detail.html",
                {"cert": cert, "kind": KINDS[cert.kind], "can_revoke": False, "revoke_form": form},
                status=exc.status,
            )
        messages.success(request, _("Certificate %(number)s is revoked.") % {"number": number})
        return redirect("certificates:detail", number=cert.number)
    return render(
        request,
        "certificates/detail.html",
        {
            "cert": cert,
            "kind": KINDS[cert.kind],
            "can_revoke": services.can_revoke(_user(request), cert),
            "revoke_form": form,
        },
        status=400,
    )


@allow(*STAFF_ROLES, reason="departments and the state see the certificates in their scope")
@require_safe
def certificate_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:120]
    kind = request.GET.get("kind", "")
    kind = kind if kind in KINDS else ""
    status = request.GET.get("status", "")
    status = status if status in CertificateStatus.values else ""
    rows = selectors.search(
        selectors.visible_to(_user(request)), query=query, kind=kind, status=status
    )
    if request.GET.get("format") == "csv":
        return csv_response(
            "emitra-certificates.csv",
            [
                "number",
                "kind",
                "application_number",
                "holder_name_en",
                "holder_name_hi",
                "district",
                "issued_at",
                "status",
                "revoked_at",
                "sha256",
            ],
            (
                (
                    c.number,
                    c.kind,
                    c.application_number,
                    c.holder_name_en,
                    c.holder_name_hi,
                    c.district.slug if c.district else "",
                    to_ist(c.issued_at).strftime("%Y-%m-%d %H:%M:%S"),
                    c.status,
                    to_ist(c.revoked_at).strftime("%Y-%m-%d %H:%M:%S") if c.revoked_at else "",
                    c.sha256,
                )
                for c in rows.iterator()
            ),
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    return render(
        request,
        "certificates/list.html",
        {
            "rows": page.object_list,
            "page": page,
            "count": page.paginator.count,
            "params": params.urlencode(),
            "query": query,
            "kind": kind,
            "status": status,
            "kinds": kind_choices(),
            "statuses": CertificateStatus.choices,
        },
    )
