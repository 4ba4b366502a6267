"""Reads: who may open a certificate, and what the public verify page may say about one."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q, QuerySet

from emitra.accounts.models import User
from emitra.accounts.roles import STATEWIDE_ROLES, Role
from emitra.catalog.selectors import staff_department
from emitra.certificates import payload, signing
from emitra.certificates.models import Certificate, CertificateStatus

# Further "may this user download it?" rules, registered by apps above us (the applications
# app adds "the applicant, and the operator who filed the application"). Any True allows.
DownloadCheck = Callable[[User, Certificate], bool]
_download_checks: list[DownloadCheck] = []


def register_download_check(check: DownloadCheck) -> None:
    """Called from an AppConfig.ready(); certificates cannot import the applications app."""
    if check not in _download_checks:
        _download_checks.append(check)


def can_download(user: User, cert: Certificate) -> bool:
    """State admin and auditor: all. Department staff: their department's certificates (and
    only their district's, when their account has one). Everyone else: as registered checks
    decide (the applications app knows whose application it was)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role in STATEWIDE_ROLES or user.is_superuser:
        return True
    if user.role in (Role.DEPARTMENT_OFFICER, Role.DEPARTMENT_ADMIN):
        department = staff_department(user)
        if department is not None and department.pk == cert.department_id:
            return user.district_id is None or user.district_id == cert.district_id
    return any(check(user, cert) for check in _download_checks)


def visible_to(user: User) -> QuerySet[Certificate]:
    """The certificates a staff list shows to `user` (the same rule as can_download, as a query)."""
    qs = Certificate.objects.select_related("district", "department", "issued_by")
    if user.role in STATEWIDE_ROLES or user.is_superuser:
        return qs
    if user.role in (Role.DEPARTMENT_OFFICER, Role.DEPARTMENT_ADMIN):
        department = staff_department(user)
        if department is None:
            return qs.none()
        qs = qs.filter(department=department)
        if user.district_id is not None:
            qs = qs.filter(district_id=user.district_id)
        return qs
    return qs.none()


def by_number(number: str) -> Certificate | None:
    return (
        Certificate.objects.select_related("district", "department")
        .filter(number=(number or "").strip().upper())
        .first()
    )


class Verdict(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    FORGED = "forged"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    certificate: Certificate | None = None

    @property
    def masked_name_en(self) -> str:
        return mask_name(self.certificate.holder_name_en) if self.certificate else ""

    @property
    def masked_name_hi(self) -> str:
        return mask_name(self.certificate.holder_name_hi) if self.certificate else ""


_VIRAMA = "\u094d"


def _lead(word: str) -> str:
    """The start of a word kept visible: two Latin letters, or one whole Devanagari syllable
    (a consonant cluster with its vowel sign: "श्री", not "श्" with a dangling virama)."""
    if not any("\u0900" <= ch <= "\u097f" for ch in word):
        return word[:2]
    end = 1
    while end < len(word):
        ch = word[end]
        if unicodedata.category(ch) in ("Mn", "Mc"):
            end += 1
        elif word[end - 1] == _VIRAMA:
            end += 1  # the consonant joined by the virama
        else:
            break
    return word[:end]


def mask_name(name: str) -> str:
    """Show the start of each word and stars for the rest ("Pr****** Ks*******"): enough to
    recognise a name, not to harvest it."""
    words = []
    for word in name.split():
        lead = _lead(word)
        words.append(lead + "*" * (len(word) - len(lead)))
    return " ".join(words)


def public_keys() -> dict[str, bytes]:
    raw = signing.qr_public_key_raw()
    return {signing.qr_key_id(raw): raw}


def _status(cert: Certificate) -> Verdict:
    return Verdict.REVOKED if cert.status == CertificateStatus.REVOKED else Verdict.VALID


def verify_payload(text: str) -> Verification:
    """A QR payload: forged unless its signature holds and it matches our record exactly."""
    try:
        data = payload.decode(text, public_keys())
    except payload.BadPayload:
        return Verification(Verdict.FORGED)
    cert = by_number(data.number)
    if cert is None:
        return Verification(Verdict.UNKNOWN)
    if not (
        hmac.compare_digest(cert.content_sha256, data.content_sha256)
        and cert.kind == data.kind
        and cert.holder_name_en == data.holder_name
    ):
        return Verification(Verdict.FORGED)
    return Verification(_status(cert), cert)


def _folded(name: str) -> str:
    return "".join(name.split()).casefold()


def verify_number(number: str, holder_name: str) -> Verification:
    """A number typed in with the holder's name (English or Hindi, spaces and case ignored).

    A wrong name answers "unknown", like a wrong number, so the page cannot be used to learn
    whose a number is."""
    cert = by_number(number)
    if cert is None or not holder_name.strip():
        return Verification(Verdict.UNKNOWN)
    wanted = _folded(holder_name)
    if wanted not in (_folded(cert.holder_name_en), _folded(cert.holder_name_hi)):
        return Verification(Verdict.UNKNOWN)
    return Verification(_status(cert), cert)


def file_matches(cert: Certificate, content: bytes) -> bool:
    """Is `content` exactly the signed PDF we issued (byte for byte)?"""
    return hmac.compare_digest(hashlib.sha256(content).hexdigest(), cert.sha256)


def search(
    qs: QuerySet[Certificate], *, query: str = "", kind: str = "", status: str = ""
) -> QuerySet[Certificate]:
    if query:
        q = query.strip()
        qs = qs.filter(
            Q(number__iexact=q)
            | Q(application_number__iexact=q)
            | Q(holder_name_en__icontains=q)
            | Q(holder_name_hi__icontains=q)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs
