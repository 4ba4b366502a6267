"""Issuing and revoking certificates.

`issue_certificate` is called by the applications workflow when an application is approved.
It is idempotent per (kind, application number): a retry — the approval replayed by the
outbox, a double click — returns the certificate issued the first time, never a second one.
"""

from __future__ import annotations

import hashlib

import structlog
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.catalog.selectors import staff_department
from emitra.certificates import documents, payload, signing
from emitra.certificates.errors import (
    AlreadyRevoked,
    InvalidCertificateData,
    NotAllowedToRevoke,
    NotAnIssuer,
    ReasonRequired,
    UnknownKind,
)
from emitra.certificates.kinds import KINDS, Label
from emitra.certificates.models import Certificate, CertificateStatus
from emitra.core import audit
from emitra.core.ids import next_number
from emitra.core.timeutil import to_ist
from emitra.geo.models import District

log = structlog.get_logger(__name__)

ISSUER_ROLES = frozenset({Role.DEPARTMENT_OFFICER, Role.DEPARTMENT_ADMIN, Role.STATE_ADMIN})
MAX_FIELDS = 30
MAX_FIELD_LENGTH = 300
MAX_NAME_LENGTH = 120


def _clean_text(value: object, *, what: str, limit: int, required: bool = True) -> str:
    if not isinstance(value, str):
        raise InvalidCertificateData(_("%(what)s must be text.") % {"what": what})
    text = " ".join(value.split())
    if required and not text:
        raise InvalidCertificateData(_("%(what)s is missing.") % {"what": what})
    if len(text) > limit:
        raise InvalidCertificateData(
            _("%(what)s is longer than %(limit)d characters.") % {"what": what, "limit": limit}
        )
    return text


def _district(code: str | None) -> District | None:
    """A district by slug (`jaipur`) or LGD code (`110`); None for a state-level certificate."""
    if code is None or not str(code).strip():
        return None
    code = str(code).strip()
    found = (
        District.objects.filter(lgd_code=int(code)).first()
        if code.isdigit()
        else District.objects.filter(slug=code.lower()).first()
    )
    if found is None:
        raise InvalidCertificateData(_("Unknown district “%(code)s”.") % {"code": code})
    return found


def issue_certificate(
    *,
    kind: str,
    application_number: str,
    holder_name_en: str,
    holder_name_hi: str,
    fields: dict[str, str],
    issued_by: User,
    district_code: str | None,
) -> Certificate:
    """Number, draw, sign and store a certificate (or return the one already issued).

    The number is taken inside the transaction that stores the certificate, so a failure at
    any step gives it back (the series stays gapless). Rendering and signing take tens of
    milliseconds and happen while the series row is held; certificates are issued by
    officers one approval at a time, so that wait is not on any hot path.
    """
    if kind not in KINDS:
        raise UnknownKind(kind)
    application_number = _clean_text(
        application_number, what=_("Application number"), limit=40
    ).upper()
    existing = Certificate.objects.filter(kind=kind, application_number=application_number).first()
    if existing is not None:
        return existing
    if issued_by.role not in ISSUER_ROLES and not issued_by.is_superuser:
        raise NotAnIssuer()
    name_en = _clean_text(holder_name_en, what=_("Name in English"), limit=MAX_NAME_LENGTH)
    name_hi = _clean_text(holder_name_hi, what=_("Name in Hindi"), limit=MAX_NAME_LENGTH)
    if not isinstance(fields, dict) or len(fields) > MAX_FIELDS:
        raise InvalidCertificateData(_("Too many certificate fields."))
    clean_fields = {
        _clean_text(key, what=_("Field name"), limit=40): _clean_text(
            value, what=str(key), limit=MAX_FIELD_LENGTH, required=False
        )
        for key, value in fields.items()
    }
    district = _district(district_code)
    department = staff_department(issued_by)

    try:
        with transaction.atomic():
            cert = _issue(
                kind=kind,
                application_number=application_number,
                name_en=name_en,
                name_hi=name_hi,
                fields=clean_fields,
                issued_by=issued_by,
                district=district,
                department_label=(
                    Label(department.name_hi, department.name_en)
                    if department is not None
                    else Label("", "")
                ),
                department_id=department.pk if department is not None else None,
            )
    except IntegrityError:
        # Another request issued it between our look-up and our insert: theirs stands.
        winner = Certificate.objects.filter(
            kind=kind, application_number=application_number
        ).first()
        if winner is None:
            raise
        return winner
    return cert


def _issue(
    *,
    kind: str,
    application_number: str,
    name_en: str,
    name_hi: str,
    fields: dict[str, str],
    issued_by: User,
    district: District | None,
    department_label: Label,
    department_id: int | None,
) -> Certificate:
    issued_at = timezone.now()
    number = next_number(KINDS[kind].series, at=issued_at).text
    content = documents.Content(
        number=number,
        kind=kind,
        application_number=application_number,
        holder_name_en=name_en,
        holder_name_hi=name_hi,
        fields=fields,
        issued_on=to_ist(issued_at).date().isoformat(),
        district=district.slug if district is not None else "",
    )
    digest = payload.content_digest(content.as_dict())
    qr_key = signing.qr_private_key()
    qr_payload = payload.encode(
        payload.Payload(
            key_id=signing.qr_key_id(signing.qr_public_key_raw()),
            number=number,
            kind=kind,
            issued_on=content.issued_on,
            holder_name=name_en,
            content_sha256=digest,
        ),
        qr_key,
    )
    data = documents.pdf_data(
        content=content,
        qr_payload=qr_payload,
        department=department_label,
        district=(
            Label(district.name_hi, district.name_en) if district is not None else Label("", "")
        ),
        issuer=issued_by.full_name or issued_by.username,
        issued_at=issued_at,
    )
    drawn = documents.render(data, kind=kind, created=issued_at)
    signed = signing.sign_pdf(
        drawn,
        reason=f"{KINDS[kind].title.en} {number}",
        location=district.name_en if district is not None else "Rajasthan",
    )
    cert = Certificate(
        number=number,
        kind=kind,
        application_number=application_number,
        holder_name_en=name_en,
        holder_name_hi=name_hi,
        fields=fields,
        issued_at=issued_at,
        issued_by=issued_by,
        department_id=department_id,
        district=district,
        sha256=hashlib.sha256(signed).hexdigest(),
        content_sha256=digest,
        qr_payload=qr_payload,
    )
    cert.pdf.save(f"{number}.pdf", ContentFile(signed), save=False)
    try:
        with transaction.atomic():
            cert.save()
    except IntegrityError:
        cert.pdf.delete(save=False)
        raise
    audit.record(
        actor=issued_by,
        action="certificates.issue",
        obj=cert,
        after={"number": number, "kind": kind, "application": application_number},
    )
    log.info("certificates.issued", number=number, kind=kind)
    return cert


def can_revoke(user: User, cert: Certificate) -> bool:
    """State admin anywhere; a department admin for their own department's certificates."""
    if user.role == Role.STATE_ADMIN or user.is_superuser:
        return True
    if user.role == Role.DEPARTMENT_ADMIN:
        department = staff_department(user)
        return department is not None and department.pk == cert.department_id
    return False


@transaction.atomic
def revoke_certificate(*, certificate: Certificate, by: User, reason: str) -> Certificate:
    """Mark a certificate revoked (for good): the verify page says so from then on."""
    if not can_revoke(by, certificate):
        raise NotAllowedToRevoke()
    reason = " ".join((reason or "").split())
    if len(reason) < 10 or len(reason) > 1000:
        raise ReasonRequired()
    moment = timezone.now()
    updated = Certificate.objects.filter(pk=certificate.pk, status=CertificateStatus.VALID).update(
        status=CertificateStatus.REVOKED,
        revoked_at=moment,
        revoked_by=by,
        revocation_reason=reason,
    )
    if updated != 1:
        raise AlreadyRevoked(certificate.number)
    certificate.refresh_from_db()
    audit.record(
        actor=by,
        action="certificates.revoke",
        obj=certificate,
        before={"status": CertificateStatus.VALID},
        after={"status": CertificateStatus.REVOKED, "reason": reason},
    )
    return certificate
