from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def may_download_certificate(user: Any, cert: Any) -> bool:
    """The operator who filed the application and its citizen may download its certificate."""
    from django.db.models import Q

    from emitra.applications.models import Application

    return Application.objects.filter(
        Q(submitted_by=user) | Q(citizen=user), number=cert.application_number
    ).exists()


def receipt_of_application(number: str) -> Any:
    """An application's acknowledgement as a receipt the citizen can rate or complain about."""
    from django.urls import reverse

    from emitra.accounts.roles import Role
    from emitra.applications.models import Application
    from emitra.kiosks.receipts import ReceiptRef

    # Only applications filed at a kiosk's counter: the feedback is about the kiosk.
    found = (
        Application.objects.select_related("service")
        .filter(number=number.upper(), submitted_by__role=Role.OPERATOR)
        .first()
    )
    if found is None:
        return None
    return ReceiptRef(
        number=found.number,
        kiosk_code=None,
        operator_id=found.submitted_by_id,
        service_name_en=found.service.name_en,
        service_name_hi=found.service.name_hi,
        amount=found.amount_paid,
        issued_at=found.submitted_at,
        track_url=f"{reverse('applications:track')}?number={found.number}",
    )


def pending_sent_back(operator: Any) -> list[Any]:
    """The operator's applications sent back to the citizen, waiting for the corrected
    application to be resubmitted at the counter, for the console's pending list."""
    from django.urls import reverse

    from emitra.applications.models import Application
    from emitra.applications.selectors import waiting_on_citizen
    from emitra.kiosks.console import PendingItem

    rows = (
        Application.objects.filter(submitted_by=operator)
        .filter(waiting_on_citizen())
        .order_by("state_since", "pk")[:20]
    )
    return [
        PendingItem(
            label=_("Application sent back for correction"),
            reference=application.number,
            amount=None,
            since=application.state_since,
            url=reverse("applications:detail", args=[application.number]),
        )
        for application in rows
    ]


def serve_link(service: Any) -> str:
    """The counter files an application for a service that has a form and a workflow."""
    from django.urls import reverse

    from emitra.applications.selectors import applicable_services

    if applicable_services().filter(pk=service.pk).exists():
        return reverse("applications:apply", args=[service.code])
    return ""


class ApplicationsConfig(AppConfig):
    name = "emitra.applications"
    label = "applications"
    verbose_name = _("Applications")

    def ready(self) -> None:
        from emitra.applications import notify

        notify.register_sms_templates()
        from emitra.kiosks.console import register_pending_provider, register_serve_link
        from emitra.kiosks.receipts import register_lookup

        register_lookup(receipt_of_application)
        register_pending_provider(pending_sent_back)
        register_serve_link(serve_link)
        try:
            from emitra.certificates.selectors import register_download_check
        except ImportError:  # certificates not installed: nothing to download
            return
        register_download_check(may_download_certificate)
