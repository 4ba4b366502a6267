"""Drawing a certificate: its canonical content, the data its Typst template reads, the QR.

Everything printed is bilingual data (Hindi first, English beneath), so the PDF reads the same
whatever language the officer's session was in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from emitra.certificates.kinds import COMMON_FIELDS, KINDS, Kind, Label
from emitra.core import pdf, qr
from emitra.core.timeutil import format_ist, to_ist

LABELS: dict[str, Label] = {
    "government": Label("राजस्थान सरकार", "Government of Rajasthan"),
    "number": Label("प्रमाण-पत्र संख्या", "Certificate number"),
    "issued_on": Label("जारी करने की तिथि", "Date of issue"),
    "application": Label("आवेदन संख्या", "Application number"),
    "district": Label("जिला", "District"),
    "holder_hi": Label("नाम", "Name (Hindi)"),
    "holder_en": Label("नाम (अंग्रेज़ी में)", "Name"),
    "scan": Label("सत्यापन के लिए स्कैन करें", "Scan to verify"),
    "signed": Label("डिजिटल हस्ताक्षरित", "Digitally signed"),
}
FOOTER = (
    "यह प्रमाण-पत्र डिजिटल हस्ताक्षरित है; हस्ताक्षर के बिना मुद्रित प्रति की जाँच QR कोड से करें।"
    " · This certificate is digitally signed; check a printed copy with its QR code."
)
PAGE_OF = "पृष्ठ {page}/{pages} · Page {page} of {pages}"


@dataclass(frozen=True)
class Content:
    """What a certificate says — hashed into the QR payload (payload.content_digest)."""

    number: str
    kind: str
    application_number: str
    holder_name_en: str
    holder_name_hi: str
    fields: dict[str, str]
    issued_on: str  # ISO date, IST
    district: str  # slug, or ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "kind": self.kind,
            "application_number": self.application_number,
            "holder_name_en": self.holder_name_en,
            "holder_name_hi": self.holder_name_hi,
            "fields": dict(self.fields),
            "issued_on": self.issued_on,
            "district": self.district,
        }


def verify_page_url() -> str:
    """The public verify page, absolute (origin from CERT_VERIFY_ORIGIN)."""
    return str(settings.CERT_VERIFY_ORIGIN).rstrip("/") + reverse("certificates:verify")


def verify_url(qr_payload: str) -> str:
    """The URL printed in the QR code: the verify page carrying the signed payload."""
    return f"{verify_page_url()}?{urlencode({'p': qr_payload})}"


def _label(key: str) -> Label:
    """A known label for a field the kind does not list, else its name made readable
    ("house_number" → "House number")."""
    if key in COMMON_FIELDS:
        return COMMON_FIELDS[key]
    text = key.replace("_", " ").replace("-", " ").strip()
    text = text[:1].upper() + text[1:]
    return Label(text, text)


def _rows(kind: Kind, fields: dict[str, str]) -> list[dict[str, Any]]:
    known = dict(kind.fields)
    rows = [
        {"label": label.as_dict(), "value": fields[key]}
        for key, label in kind.fields
        if fields.get(key)
    ]
    rows += [
        {"label": _label(key).as_dict(), "value": value}
        for key, value in fields.items()
        if key not in known and value
    ]
    return rows


def pdf_data(
    *,
    content: Content,
    qr_payload: str,
    department: Label,
    district: Label,
    issuer: str,
    issued_at: datetime,
) -> dict[str, Any]:
    kind = KINDS[content.kind]
    district_text = (
        " / ".join(dict.fromkeys(part for part in (district.hi, district.en) if part)) or "—"
    )
    return {
        "lang": "hi",
        "labels": {key: label.as_dict() for key, label in LABELS.items()},
        "title": kind.title.as_dict(),
        "department": department.as_dict(),
        "number": content.number,
        "application_number": content.application_number,
        "issued_on": to_ist(issued_at).strftime("%d-%m-%Y"),
        "issued_at": format_ist(issued_at),
        "district": district_text,
        "holder": {"hi": content.holder_name_hi, "en": content.holder_name_en},
        "statement": {
            "hi": kind.statement.hi.replace("{name}", content.holder_name_hi),
            "en": kind.statement.en.replace("{name}", content.holder_name_en),
        },
        "rows": _rows(kind, content.fields),
        "qr": qr.svg_document(verify_url(qr_payload)),
        "verify_hint": verify_page_url(),
        "issuer": issuer,
        "footer": FOOTER,
        "page_of": PAGE_OF,
    }


def render(data: dict[str, Any], *, kind: str, created: datetime, strict: bool = False) -> bytes:
    return pdf.render_pdf(KINDS[kind].template, data, created=created, strict=strict)
