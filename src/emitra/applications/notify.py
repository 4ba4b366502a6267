"""SMS about applications: one bilingual text per change of state, queued in the outbox with
the change (so it is sent iff the change commits). Mobiles are masked everywhere but the
gateway call itself."""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext_noop

from emitra.core import outbox

# Gettext message ids: the Hindi half comes from locale/hi, like the OTP text.
TEMPLATES: Final[dict[str, str]] = {
    # Filed at a kiosk: with the link to track it, rate the kiosk or complain (params:
    # number, feedback). Filed by the citizen online: application_submitted_online.
    "application_submitted": gettext_noop(
        "e-Mitra: application %(number)s has been received. Track it, rate the kiosk or "
        "complain: %(feedback)s"
    ),
    "application_submitted_online": gettext_noop(
        "e-Mitra: application %(number)s has been received. Track it with this number on e-Mitra."
    ),
    "application_under_review": gettext_noop(
        "e-Mitra: application %(number)s is being examined by the department."
    ),
    "application_sent_back": gettext_noop(
        "e-Mitra: application %(number)s was sent back to you. Reason: %(note)s. Visit an "
        "e-Mitra kiosk to correct it."
    ),
    "application_resubmitted": gettext_noop(
        "e-Mitra: corrected application %(number)s has been received again."
    ),
    "application_rejected": gettext_noop(
        "e-Mitra: application %(number)s was rejected. Reason: %(note)s."
    ),
    "application_issued": gettext_noop(
        "e-Mitra: application %(number)s was approved. Certificate %(certificate)s is ready to "
        "download."
    ),
    "application_updated": gettext_noop("e-Mitra: the status of application %(number)s changed."),
    "application_escalated": gettext_noop(
        "e-Mitra: application %(number)s has passed its due time and is escalated to you."
    ),
    # The SLA job's one reminder while an application waits on the citizen (sent back).
    "application_reminder": gettext_noop(
        "e-Mitra: application %(number)s is still waiting for your correction. Visit an "
        "e-Mitra kiosk to complete it so that the department can decide."
    ),
}


def register_sms_templates() -> None:
    """Add our texts to the notifications app's table (its handler renders them)."""
    from emitra.notifications import sms

    for name, text in TEMPLATES.items():
        sms.TEMPLATES.setdefault(name, text)


def _submitted(params: dict[str, str]) -> str:
    """The "received" text for this application: with its feedback link when it was filed at
    a kiosk (the link the acknowledgement's QR code opens), without one when filed online."""
    from emitra.applications.models import Application
    from emitra.applications.receipts import filed_at_kiosk
    from emitra.kiosks.receipts import feedback_url

    application = (
        Application.objects.select_related("submitted_by")
        .filter(number=params.get("number", ""))
        .first()
    )
    if application is None or not filed_at_kiosk(application):
        return "application_submitted_online"
    params["feedback"] = feedback_url(application.number)
    return "application_submitted"


def queue_sms(*, to: str, template: str, **params: str) -> None:
    if not to:
        return
    if template == "application_submitted" and "feedback" not in params:
        template = _submitted(params)
    if template not in TEMPLATES:
        template = "application_updated"
    outbox.enqueue("notifications.sms", to=to, template=template, params=params)
