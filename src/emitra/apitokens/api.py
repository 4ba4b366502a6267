"""API v1 routers of this app: logging the app in and out (/auth/), and read-only lists for
the app — the catalog and districts (public), the caller's applications and certificates."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from emitra.accounts import services as accounts
from emitra.accounts.models import User
from emitra.apitokens import services
from emitra.apitokens.access import public, signed_in
from emitra.apitokens.idempotency import idempotent, not_idempotent
from emitra.apitokens.pagination import PageParams, paginate
from emitra.apitokens.schemas import ERRORS, ErrorOut, Page
from emitra.applications import selectors as applications
from emitra.catalog import selectors as catalog
from emitra.catalog.models import Service, ServiceType
from emitra.certificates import selectors as certificates
from emitra.certificates.models import Certificate
from emitra.core.errors import InvalidInput
from emitra.geo.models import District

auth_router = Router(tags=["auth"])
lists_router = Router(tags=["lists"])

Text = Annotated[str, Field(max_length=200)]


# --- logging in and out ------------------------------------------------------------------------


class OtpIn(Schema):
    mobile: Annotated[str, Field(max_length=20)]


class OtpSent(Schema):
    sent: bool
    expires_in_seconds: int


class TokenIn(Schema):
    """Operators and staff: `username` (SSO ID or mobile) + `password` (+ `totp` for staff).
    Citizens: `mobile` + `otp` from POST /auth/otp."""

    username: Text = ""
    password: Text = ""
    totp: Annotated[str, Field(max_length=10)] = ""
    mobile: Annotated[str, Field(max_length=20)] = ""
    otp: Annotated[str, Field(max_length=10)] = ""


class UserOut(Schema):
    username: str
    role: str
    name: str
    preferred_language: str


class TokenOut(Schema):
    token: str
    token_type: str
    expires_at: datetime
    user: UserOut


class RevokeIn(Schema):
    token: Text = ""


class RevokedOut(Schema):
    revoked: bool


def user_out(user: User) -> UserOut:
    return UserOut(
        username=user.username,
        role=user.role,
        name=user.full_name,
        preferred_language=user.preferred_language,
    )


@auth_router.post(
    "/otp",
    auth=public("a citizen asks for a login code before having any credentials"),
    response={202: OtpSent, **ERRORS},
)
@not_idempotent("nobody is signed in to key it to; the OTP service limits it to 3 per 15 min")
def request_otp(request: HttpRequest, body: OtpIn) -> Status[OtpSent]:
    accounts.request_citizen_otp(mobile=body.mobile)
    return Status(202, OtpSent(sent=True, expires_in_seconds=settings.CITIZEN_OTP_TTL_SECONDS))


@auth_router.post(
    "/token",
    auth=public("logging in: the credentials are in the body"),
    response={201: TokenOut, **ERRORS},
)
@not_idempotent("the answer holds a secret that is stored only hashed; each login is new")
def token(request: HttpRequest, body: TokenIn) -> Status[TokenOut]:
    if body.otp or (body.mobile and not body.password):
        issued = services.token_by_otp(mobile=body.mobile, otp=body.otp)
    elif body.username and body.password:
        issued = services.token_by_password(
            request=request, username=body.username, password=body.password, totp=body.totp
        )
    else:
        raise InvalidInput(
            "api.credentials_missing",
            _("Send username and password, or mobile and OTP."),
        )
    out = TokenOut(
        token=issued.token,
        token_type="Bearer",  # noqa: S106 - the scheme's name, not a secret
        expires_at=issued.expires_at,
        user=user_out(issued.record.user),
    )
    return Status(201, out)


@auth_router.post(
    "/revoke",
    auth=signed_in("the app logs itself out"),
    response={200: RevokedOut, **ERRORS},
)
@not_idempotent("revoking twice changes nothing; a replay with the revoked token gets 401")
def revoke(request: HttpRequest, body: RevokeIn) -> RevokedOut:
    user = request.user
    assert isinstance(user, User)
    raw = body.token or str(getattr(request, "api_token", ""))
    if not raw:
        raise InvalidInput("api.token_missing", _("Say which token to revoke."))
    services.revoke_token(user=user, raw=raw)
    return RevokedOut(revoked=True)


@auth_router.get(
    "/me", auth=signed_in("the caller's own account"), response={200: UserOut, **ERRORS}
)
def me(request: HttpRequest) -> UserOut:
    user = request.user
    assert isinstance(user, User)
    return user_out(user)


class LanguageIn(Schema):
    language: Literal["hi", "en"]


@auth_router.put(
    "/me/language",
    auth=signed_in("the caller chooses the language of their own messages"),
    response={200: UserOut, **ERRORS},
)
@idempotent()
def set_language(request: HttpRequest, body: LanguageIn) -> UserOut:
    user = request.user
    assert isinstance(user, User)
    accounts.set_preferred_language(user=user, language=body.language)
    return user_out(user)


# --- lists ---------------------------------------------------------------------------------------


class ServiceOut(Schema):
    code: str
    name_en: str
    name_hi: str
    department: str
    category: str | None
    service_type: str
    sla_days: int | None


class ServiceFilters(PageParams):
    q: Text = Field("", description="words of the name, in English or Hindi, or the code")
    department: Text = Field("", description="a department code")
    type: ServiceType | None = Field(None, description="G2C, G2B, B2C, BILL or INFO")


def _service_out(service: Service) -> ServiceOut:
    return ServiceOut(
        code=service.code,
        name_en=service.name_en,
        name_hi=service.name_hi,
        department=service.department.code,
        category=service.category.code if service.category_id else None,
        service_type=service.service_type,
        sla_days=service.sla_days,
    )


@lists_router.get(
    "/catalog/services",
    auth=public("the service catalogue is public, as on /services/"),
    response={200: Page[ServiceOut], **ERRORS},
)
def services_list(request: HttpRequest, filters: Query[ServiceFilters]) -> Page[ServiceOut]:
    rows = catalog.offered_services()
    for word in filters.q.split():
        rows = rows.filter(
            Q(name_en__icontains=word) | Q(name_hi__icontains=word) | Q(code__icontains=word)
        )
    if filters.department:
        rows = rows.filter(department__code=filters.department)
    if filters.type:
        rows = rows.filter(service_type=filters.type)
    return paginate(rows.order_by("name_en", "code"), filters, _service_out)


class DistrictOut(Schema):
    slug: str
    name_en: str
    name_hi: str
    lgd_code: int | None


class DistrictFilters(PageParams):
    q: Text = ""


@lists_router.get(
    "/geo/districts",
    auth=public("the districts of Rajasthan are public facts (forms pick one)"),
    response={200: Page[DistrictOut], **ERRORS},
)
def districts(request: HttpRequest, filters: Query[DistrictFilters]) -> Page[DistrictOut]:
    rows = District.objects.order_by("name_en")
    if filters.q.strip():
        q = filters.q.strip()
        rows = rows.filter(
            Q(name_en__icontains=q) | Q(name_hi__icontains=q) | Q(name_hi_variant__icontains=q)
        )
    return paginate(
        rows,
        filters,
        lambda d: DistrictOut(
            slug=d.slug, name_en=d.name_en, name_hi=d.name_hi, lgd_code=d.lgd_code
        ),
    )


class ApplicationOut(Schema):
    number: str
    service: str
    service_name_en: str
    service_name_hi: str
    state: str
    channel: str
    district: str | None
    amount_paid_paise: int
    submitted_at: datetime


class ApplicationFilters(PageParams):
    state: Annotated[str, Field(max_length=30)] = ""


@lists_router.get(
    "/me/applications",
    auth=signed_in("each caller sees only the applications they may read (applications.selectors)"),
    response={200: Page[ApplicationOut], **ERRORS},
)
def my_applications(
    request: HttpRequest, filters: Query[ApplicationFilters]
) -> Page[ApplicationOut]:
    user = request.user
    assert isinstance(user, User)
    rows = applications.visible_to(user)
    if filters.state:
        rows = rows.filter(state=filters.state)
    return paginate(
        rows.order_by("-id"),
        filters,
        lambda a: ApplicationOut(
            number=a.number,
            service=a.service.code,
            service_name_en=a.service.name_en,
            service_name_hi=a.service.name_hi,
            state=a.state,
            channel=a.channel,
            district=a.district.slug if a.district_id else None,
            amount_paid_paise=a.amount_paid,
            submitted_at=a.submitted_at,
        ),
    )


class CertificateOut(Schema):
    number: str
    kind: str
    application_number: str
    holder_name_en: str
    holder_name_hi: str
    issued_at: datetime
    status: str
    download_url: str | None


@lists_router.get(
    "/me/certificates",
    auth=signed_in("each caller sees the certificates they may download (can_download)"),
    response={200: Page[CertificateOut], **ERRORS},
)
def my_certificates(request: HttpRequest, filters: Query[PageParams]) -> Page[CertificateOut]:
    user = request.user
    assert isinstance(user, User)
    theirs = applications.visible_to(user).values("number")
    rows = (
        (certificates.visible_to(user) | Certificate.objects.filter(application_number__in=theirs))
        .distinct()
        .order_by("-issued_at", "-id")
    )

    def out(cert: Certificate) -> CertificateOut:
        allowed = certificates.can_download(user, cert)
        return CertificateOut(
            number=cert.number,
            kind=cert.kind,
            application_number=cert.application_number,
            holder_name_en=cert.holder_name_en,
            holder_name_hi=cert.holder_name_hi,
            issued_at=cert.issued_at,
            status=cert.status,
            download_url=f"/certificates/{cert.number}/pdf" if allowed else None,
        )

    return paginate(rows, filters, out)


__all__ = ["ErrorOut", "auth_router", "lists_router"]
