"""SMS to the citizen about their doorstep visit, queued in the outbox with the change (so it is
sent iff the change commits). Bilingual like every citizen SMS (notifications.sms.render)."""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext_noop

from emitra.core import outbox

# Gettext message ids: the Hindi half comes from locale/hi. Params: number, day (DD-MM-YYYY),
# slot (10:00–12:00), kiosk (the assigned kiosk's name and code), charge (₹50.00 or ₹0.00),
# reason.
TEMPLATES: Final[dict[str, str]] = {
    "home_visit_booked": gettext_noop(
        "e-Mitra@Home: visit %(number)s booked for %(day)s, %(slot)s. Operator: %(kiosk)s. "
        "Visit charge %(charge)s, payable at the visit."
    ),
    "home_visit_assigned": gettext_noop(
        "e-Mitra@Home: visit %(number)s on %(day)s, %(slot)s is now with operator %(kiosk)s."
    ),
    "home_visit_cancelled": gettext_noop(
        "e-Mitra@Home: visit %(number)s on %(day)s, %(slot)s was cancelled. %(reason)s"
    ),
}


def register_sms_templates() -> None:
    """Add our texts to the notifications app's table (its handler renders them)."""
    from emitra.notifications import sms

    for name, text in TEMPLATES.items():
        sms.TEMPLATES.setdefault(name, text)


def queue_sms(*, to: str, template: str, **params: str) -> None:
    if not to or template not in TEMPLATES:
        return
    outbox.enqueue("notifications.sms", to=to, template=template, params=params)
