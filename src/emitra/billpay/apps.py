from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def receipt_for_feedback(number: str) -> Any:
    """A bill receipt as the kiosks app's feedback pages know receipts."""
    from emitra.billpay.selectors import receipt_ref
    from emitra.kiosks.receipts import ReceiptRef

    found = receipt_ref(number)
    if found is None:
        return None
    return ReceiptRef(
        number=found.number,
        kiosk_code=None,
        operator_id=found.operator_id,
        service_name_en=found.service_name_en,
        service_name_hi=found.service_name_hi,
        amount=found.amount,
        issued_at=found.issued_at,
    )


def pending_bill_payments(operator: Any) -> list[Any]:
    """The operator's bill payments still waiting for the biller, for the console."""
    from django.urls import reverse

    from emitra.billpay.models import BillPayment, PaymentState
    from emitra.kiosks.console import PendingItem

    return [
        PendingItem(
            label=_("Bill payment"),
            reference=payment.number,
            amount=payment.total,
            since=payment.created_at,
            url=reverse("billpay:receipt", args=[payment.number]),
        )
        for payment in BillPayment.objects.filter(
            operator=operator, state=PaymentState.PENDING
        ).order_by("created_at")[:20]
    ]


def serve_link(service: Any) -> str:
    """A bill service is served by its biller's fetch page."""
    from django.urls import reverse

    from emitra.billpay.models import Biller

    biller = Biller.objects.filter(service_id=service.code, is_active=True).first()
    return reverse("billpay:fetch", args=[biller.code]) if biller is not None else ""


class BillpayConfig(AppConfig):
    name = "emitra.billpay"
    label = "billpay"
    verbose_name = _("Bill payments")

    def ready(self) -> None:
        from emitra.kiosks.console import register_pending_provider, register_serve_link
        from emitra.kiosks.receipts import register_lookup

        register_lookup(receipt_for_feedback)
        register_pending_provider(pending_bill_payments)
        register_serve_link(serve_link)
