"""Receipts: the printable proof of every attempt (paid, failed, pending), in A4 and 80 mm
thermal layouts, with a QR code whose payload is signed so the public verification page can
tell a genuine receipt from a made-up one."""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from emitra.accounts.roles import Role
from emitra.billpay.models import BillPayment, PaymentState
from emitra.core import pdf, qr
from emitra.core.masking import mask_mobile
from emitra.core.money import format_inr
from emitra.core.timeutil import format_ist

SALT = "emitra.billpay.receipt"
Layout = Literal["a4", "thermal"]
LAYOUTS: tuple[Layout, ...] = ("a4", "thermal")


def mask_name(name: str) -> str:
    """'Ramesh Kumar Sharma' → 'Ra**** Ku*** Sh****': enough for the citizen to recognise,
    too little to learn who a stranger's consumer number belongs to."""
    words = []
    for word in (name or "").split():
        keep = 1 if len(word) <= 3 else 2
        words.append(word[:keep] + "*" * (len(word) - keep))
    return " ".join(words)


def signed_payload(payment: BillPayment) -> str:
    """What the QR carries: the receipt number and amount, signed (no state: it may change)."""
    return signing.dumps({"n": payment.number, "a": payment.total}, salt=SALT, compress=True)


def read_payload(token: str) -> dict[str, Any] | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str):
        return None
    return data


def verify_url(payment: BillPayment) -> str:
    path = reverse("receipt_verify")
    return f"{settings.BILLPAY_VERIFY_ORIGIN.rstrip('/')}{path}?p={signed_payload(payment)}"


STATUS_NOTES: dict[str, Promise] = {
    PaymentState.SUCCESS: _("Paid: the biller has confirmed this payment."),
    PaymentState.PENDING: _(
        "In progress: the biller has not confirmed yet. Keep this receipt; the final result "
        "comes by SMS and on a reprint."
    ),
    PaymentState.FAILED: _("Not paid: the biller declined. The money was not taken."),
    PaymentState.REVERSED: _(
        "Not paid: the biller did not confirm in time. The payment was cancelled and the money "
        "returned."
    ),
}

LABELS: dict[str, Promise] = {
    "title": _("Bill payment receipt"),
    "brand": _("e-Mitra, Government of Rajasthan"),
    "number": _("Receipt number"),
    "date": _("Date and time"),
    "biller": _("Biller"),
    "consumer": _("Consumer number"),
    "name": _("Name on the bill"),
    "bill_number": _("Bill number"),
    "amount": _("Bill amount paid"),
    "charge": _("Service charge"),
    "total": _("Total received"),
    "status": _("Status"),
    "biller_ref": _("Biller reference"),
    "operator": _("Kiosk operator"),
    "mobile": _("Citizen's mobile"),
    "reason": _("Reason"),
    "verify": _("Scan to verify this receipt"),
}
# A citizen who paid online (the portal) was charged by the gateway: a failure is refunded.
ONLINE_NOTES: dict[str, Promise] = {
    PaymentState.FAILED: _(
        "Not paid: the biller declined. The amount paid online will be refunded to you."
    ),
    PaymentState.REVERSED: _(
        "Not paid: the biller did not confirm in time. The amount paid online will be "
        "refunded to you."
    ),
}
ONLINE_PAYER = _("Paid online by")
FOOTER = _("Computer-generated receipt; it needs no signature. Pay only the total printed here.")


def both(message: Promise | str) -> dict[str, str]:
    with translation.override("hi"):
        hindi = str(message)
    with translation.override("en"):
        english = str(message)
    return {"hi": hindi, "en": english}


def status_label(payment: BillPayment) -> dict[str, str]:
    return both(PaymentState(payment.state).label)


def pdf_data(payment: BillPayment) -> dict[str, object]:
    """Everything the templates print, already formatted; labels in Hindi and English."""
    language = translation.get_language() or "hi"
    url = verify_url(payment)
    labels = {key: both(label) for key, label in LABELS.items()}
    note = STATUS_NOTES[payment.state]
    if payment.operator.role == Role.CITIZEN:  # paid online on the portal, not at a kiosk
        labels["operator"] = both(ONLINE_PAYER)
        note = ONLINE_NOTES.get(payment.state, note)
    return {
        "lang": "en" if language.startswith("en") else "hi",
        "labels": labels,
        "number": payment.number,
        "date": format_ist(payment.created_at),
        "completed": format_ist(payment.completed_at) if payment.completed_at else "",
        "biller": {"hi": payment.biller.name_hi, "en": payment.biller.name_en},
        "consumer": payment.consumer,
        "name": mask_name(payment.customer_name),
        "bill_number": payment.bill_number,
        "amount": format_inr(payment.amount),
        "charge": format_inr(payment.service_charge),
        "total": format_inr(payment.total),
        "state": payment.state,
        "status": status_label(payment),
        "note": both(note),
        "reason": payment.failure_reason,
        "biller_ref": payment.biller_txn_id,
        "operator": payment.operator.full_name or payment.operator.username,
        "mobile": mask_mobile(payment.mobile) if payment.mobile else "",
        "qr": qr.svg_document(url),
        "verify_url": url,
        "footer": both(FOOTER),
        "page_of": gettext("Page %(page)s of %(pages)s") % {"page": "{page}", "pages": "{pages}"},
    }


def render_receipt(payment: BillPayment, layout: Layout, *, strict: bool = False) -> bytes:
    return pdf.render_pdf(
        f"billpay/receipt_{layout}.typ",
        pdf_data(payment),
        created=payment.completed_at or payment.created_at,
        strict=strict,
    )


def file_name(payment: BillPayment, layout: Layout) -> str:
    return f"{payment.number}-{layout}.pdf"
