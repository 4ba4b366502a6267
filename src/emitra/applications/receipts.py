"""What an acknowledgement shows (page and PDF) and an application's history, bilingual."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from emitra.accounts.roles import Role
from emitra.applications import workflow
from emitra.applications.models import Application
from emitra.catalog import formschema
from emitra.core.masking import mask_aadhaar, mask_mobile
from emitra.core.money import format_inr
from emitra.core.qr import svg_document, svg_inline
from emitra.core.timeutil import format_ist
from emitra.kiosks.receipts import feedback_url, public_url


def mask(mobile: str) -> str:
    return mask_mobile(mobile)


def mask_id(number: str) -> str:
    """A Jan Aadhaar ID with only its last four digits: XXXXXX7890."""
    return "X" * max(len(number) - 4, 0) + number[-4:]


def both(message: Promise | str) -> dict[str, str]:
    with translation.override("hi"):
        hindi = str(message)
    with translation.override("en"):
        english = str(message)
    return {"hi": hindi, "en": english}


LABELS: dict[str, Promise] = {
    "title": _("Acknowledgement of application"),
    "brand": _("e-Mitra"),
    "number": _("Application number"),
    "service": _("Service"),
    "department": _("Department"),
    "applicant": _("Applicant"),
    "mobile": _("Mobile number"),
    "district": _("District"),
    "submitted": _("Submitted"),
    "fee": _("Fee paid"),
    "status": _("Status"),
    "due": _("Expected decision by"),
    "kiosk": _("Kiosk operator"),
    "documents": _("Documents received"),
    "track": _("Track this application on e-Mitra with its number and your mobile number."),
    "scan_kiosk": _(
        "Scan the QR code or open this link to track the application, rate the kiosk or complain:"
    ),
    "scan_track": _("Scan the QR code or open this link to track the application:"),
    "footer": _("e-Mitra acknowledgement — keep it until the certificate is issued."),
}


@dataclass(frozen=True)
class Receipt:
    number: str
    service_hi: str
    service_en: str
    department: str
    applicant: str
    mobile: str
    district: str
    submitted: str
    fee: str
    status: str
    due: str
    kiosk: str
    documents: list[str]
    qr_svg: str
    public_url: str = ""  # what the QR code opens (absolute)
    feedback_path: str = ""  # the rating/complaint page, when filed at a kiosk


def filed_at_kiosk(application: Application) -> bool:
    """Filed at a kiosk's counter (not by the citizen online): the kiosk can be rated."""
    return application.submitted_by.role == Role.OPERATOR


def track_path(application: Application) -> str:
    return f"{reverse('applications:track')}?number={application.number}"


def public_link(application: Application) -> str:
    """What the acknowledgement's QR code opens: the public page of this acknowledgement,
    which offers tracking and, for one filed at a kiosk, rating the kiosk or complaining
    (kiosks' /feedback/<number>/); the tracking page for one the citizen filed online."""
    if filed_at_kiosk(application):
        return feedback_url(application.number)
    return public_url(track_path(application))


def _track_text(application: Application) -> str:
    return public_link(application)


def receipt(application: Application) -> Receipt:
    definition = workflow.definition(application.workflow_ref)
    state = definition.states.get(application.state)
    return Receipt(
        number=application.number,
        service_hi=application.service.name_hi,
        service_en=application.service.name_en,
        department=application.department.name,
        applicant=application.applicant_name,
        mobile=mask_mobile(application.mobile),
        district=application.district.name if application.district else "—",
        submitted=format_ist(application.submitted_at),
        fee=format_inr(application.amount_paid),
        status=state.label if state else application.state,
        due=format_ist(application.due_at) if application.due_at else "—",
        kiosk=application.submitted_by.full_name or application.submitted_by.username,
        documents=[
            d.label_hi if workflow.is_hindi() else d.label_en for d in application.documents.all()
        ],
        qr_svg=svg_inline(_track_text(application)),
        public_url=public_link(application),
        feedback_path=reverse("feedback:receipt", args=[application.number])
        if filed_at_kiosk(application)
        else "",
    )


def pdf_data(application: Application) -> dict[str, Any]:
    """Everything the Typst template prints: labels in both languages, values as text."""
    definition = workflow.definition(application.workflow_ref)
    state = definition.states.get(application.state)
    language = translation.get_language() or "hi"
    return {
        "lang": "en" if language.startswith("en") else "hi",
        "labels": {key: both(label) for key, label in LABELS.items()},
        "number": application.number,
        "service": {"hi": application.service.name_hi, "en": application.service.name_en},
        "department": {
            "hi": application.department.name_hi,
            "en": application.department.name_en,
        },
        "applicant": application.applicant_name,
        "mobile": mask_mobile(application.mobile),
        "district": (
            {"hi": application.district.name_hi, "en": application.district.name_en}
            if application.district
            else {"hi": "—", "en": "—"}
        ),
        "submitted": format_ist(application.submitted_at),
        "fee": format_inr(application.amount_paid, language="en"),
        "status": {"hi": state.label_hi, "en": state.label_en}
        if state
        else {"hi": application.state, "en": application.state},
        "due": format_ist(application.due_at) if application.due_at else "—",
        "kiosk": application.submitted_by.full_name or application.submitted_by.username,
        "documents": [{"hi": d.label_hi, "en": d.label_en} for d in application.documents.all()],
        "qr": svg_document(_track_text(application)),
        "public": {
            "label": both(LABELS["scan_kiosk" if filed_at_kiosk(application) else "scan_track"]),
            "url": public_link(application),
        },
        "footer": " · ".join(dict.fromkeys(both(LABELS["footer"]).values())),
        "page_of": gettext("Page %(page)s of %(pages)s") % {"page": "{page}", "pages": "{pages}"},
    }


# Notes a citizen must read to act (why it came back, why it was refused).
PUBLIC_NOTES = frozenset({"send_back", "reject"})


@dataclass(frozen=True)
class HistoryLine:
    at: str
    action: str
    from_state: str
    to_state: str
    by: str
    note: str


def history(application: Application, *, public: bool = False) -> list[HistoryLine]:
    """The application's events, oldest first. For the public tracking page, without names
    of officers and without notes (which may carry personal details)."""
    definition = workflow.definition(application.workflow_ref)

    def label(code: str) -> str:
        state = definition.states.get(code)
        return state.label if state else code

    def action_label(code: str) -> str:
        action = definition.actions.get(code)
        if action is not None:
            return action.label
        if code == "remind":
            return gettext("Citizen reminded")
        return gettext("Escalated") if code == "escalate" else code

    lines = []
    for event in application.events.select_related("actor").order_by("at", "pk"):
        who = ""
        if not public and event.actor is not None:
            who = event.actor.full_name or event.actor.username
        lines.append(
            HistoryLine(
                at=format_ist(event.at),
                action=action_label(event.action),
                from_state=label(event.from_state) if event.from_state else "",
                to_state=label(event.to_state),
                by=who,
                note="" if public and event.action not in PUBLIC_NOTES else event.note,
            )
        )
    return lines


# Personal numbers shown on pages only masked (the department needs them in full only through
# its own systems, e.g. a Jan Aadhaar look-up, not on screen).
_MASKED_KINDS = {"aadhaar": mask_aadhaar, "mobile": mask_mobile, "jan_aadhaar": mask_id}


def form_rows(application: Application) -> list[tuple[str, str]]:
    """(label, value) of the filed form in the page's language; Aadhaar, Jan Aadhaar and the
    mobile number masked."""
    from emitra.applications.services import fields_schema

    schema = fields_schema(application.service_version.form_schema or {})
    if not schema:
        return []
    sealed = {n: v for n, v in application.form_data.items() if isinstance(v, dict)}
    data = {n: str(v) for n, v in application.form_data.items() if n not in sealed}
    bound = formschema.bind(schema, data)
    rows = []
    for field in bound.fields:
        value = bound.cleaned.get(field.name)
        if field.name in sealed:  # an Aadhaar number kept as a vault token (services.sealed_form)
            rows.append((field.label, mask_aadhaar(str(sealed[field.name].get("last4", "")))))
            continue
        if value in (None, "", False):
            continue
        if field.kind in _MASKED_KINDS:
            shown = _MASKED_KINDS[field.kind](str(value))
        elif field.options:
            shown = next((o.label for o in field.options if o.value == str(value)), str(value))
        elif field.kind == "checkbox":
            shown = gettext("Yes")
        else:
            shown = str(value)
        rows.append((field.label, shown))
    return rows
