"""Receipts for every attempt — paid, failed and pending — in A4 and thermal layouts, Hindi and
English, with a QR whose signed payload the verification page trusts; SMS to the citizen."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from pypdf import PdfReader
from pypdf.generic import ContentStream

from emitra.billpay import receipts, selectors
from emitra.billpay.models import Biller, PaymentState
from emitra.billpay.tests.conftest import k_number, run_outbox
from emitra.core import qr
from emitra.core.money import format_inr
from emitra.core.tests.pdftext import pdf_text, squeezed

MM = 72 / 25.4  # PDF points per millimetre
EXAMPLES = {
    "jvvnl": "210512345670",
    "avvnl": "110412345671",
    "jdvvnl": "310612345672",
    "phed": "1403567890",
    "rsgl": "5000123450",
    "bsnl": "9012345670",
    "dth": "1012345670",
}


def _page(pdf: bytes) -> tuple[float, float, int]:
    """Width and height (mm) of the only page, and how many path operators draw on it."""
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    content = ContentStream(page.get_contents(), reader)
    paths = sum(1 for _ops, op in content.operations if op in (b"m", b"l", b"c", b"re", b"h"))
    return float(page.mediabox.width) / MM, float(page.mediabox.height) / MM, paths


pytestmark = [pytest.mark.simulators, pytest.mark.django_db]


@pytest.mark.parametrize("last", [0, 4, 7])
@pytest.mark.parametrize("layout", ["a4", "thermal"])
def test_every_attempt_prints_a_bilingual_receipt(biller, pay, last, layout):
    payment = pay(k_number(last), biller="jvvnl")
    if last != 7:
        run_outbox()
    payment.refresh_from_db()
    expected = {0: PaymentState.SUCCESS, 4: PaymentState.FAILED, 7: PaymentState.PENDING}[last]
    assert payment.state == expected

    with translation.override("hi"):
        text = squeezed(pdf_text(receipts.render_receipt(payment, layout, strict=True)))

    assert payment.number in text
    assert squeezed("जयपुर डिस्कॉम") in text
    assert squeezed("Jaipur Discom (JVVNL)") in text
    assert payment.consumer in text
    assert payment.customer_name.replace(" ", "") not in text  # masked


def test_the_qr_payload_is_signed_and_names_the_receipt(biller, pay):
    payment = pay(k_number(0))
    token = receipts.signed_payload(payment)
    assert receipts.read_payload(token) == {"n": payment.number, "a": payment.total}
    assert receipts.read_payload(token + "x") is None
    assert receipts.read_payload("garbage") is None


def test_names_are_partly_masked():
    assert receipts.mask_name("Ramesh Kumar Sharma") == "Ra**** Ku*** Sh****"
    assert receipts.mask_name("Om") == "O*"


def test_the_receipt_lookup_for_complaints(biller, pay):
    payment = pay(k_number(0))
    ref = selectors.receipt_ref(payment.number.lower())
    assert ref is not None
    assert (ref.number, ref.operator_id, ref.amount) == (
        payment.number,
        payment.operator_id,
        payment.total,
    )
    assert ref.service_name_hi == "जयपुर डिस्कॉम (जेवीवीएनएल)"
    assert selectors.receipt_ref("BPR-2026-27-999999999") is None


def test_the_citizen_gets_an_sms_with_amount_biller_and_receipt(biller, sms_gateway, pay):
    paid = pay(k_number(0), mobile="9876543210")
    failed = pay(k_number(4, prefix="11041234567"), biller="avvnl", mobile="9876543210")
    run_outbox()

    texts = [m["text"] for m in sms_gateway.messages("9876543210")]
    assert len(texts) == 2
    joined = "\n".join(texts)
    assert paid.number in joined and failed.number in joined
    assert "Jaipur Discom (JVVNL)" in joined
    assert "जयपुर डिस्कॉम (जेवीवीएनएल)" in joined  # the Hindi half names the biller in Hindi
    assert f"/feedback/{paid.number}/" in joined  # the citizen can rate or complain
    from emitra.core.models import AuditEntry

    audit = AuditEntry.objects.get(action="billpay.pay", object_id=str(paid.pk))
    assert audit.after is not None
    assert audit.after["mobile"] == "XXXXXX3210"


def test_the_verify_page_offers_rating_and_complaint(biller, pay, client):
    payment = pay(k_number(0))

    page = client.get("/receipts/verify/", {"number": payment.number}).content.decode()

    assert f'href="/feedback/{payment.number}/"' in page


@pytest.mark.parametrize(("layout", "width"), [("thermal", 80), ("a4", 210)])
def test_the_page_is_as_wide_as_its_paper_and_carries_the_qr(
    biller, pay, monkeypatch, layout, width
):
    """80 mm thermal roll or A4; the QR (vector paths, a few hundred of them) is on the page:
    blanking the QR image takes them away."""
    payment = pay(k_number(0))
    run_outbox()
    payment.refresh_from_db()
    assert receipts.pdf_data(payment)["qr"] == qr.svg_document(receipts.verify_url(payment))

    page_width, page_height, with_qr = _page(receipts.render_receipt(payment, layout))
    assert page_width == pytest.approx(width, abs=0.1)
    assert page_height > 60

    blank = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" viewBox="0 0 10 10"/>'
    monkeypatch.setattr(qr, "svg_document", lambda data, scale=4: blank)
    _w, _h, without_qr = _page(receipts.render_receipt(payment, layout))
    assert with_qr - without_qr > 100


def test_an_english_receipt_leads_in_english(biller, pay):
    payment = pay(k_number(0))
    run_outbox()
    payment.refresh_from_db()
    with translation.override("en"):
        data = receipts.pdf_data(payment)
        pdf = receipts.render_receipt(payment, "thermal", strict=True)
        total = format_inr(payment.total)
    assert data["lang"] == "en"
    text = squeezed(pdf_text(pdf))
    assert payment.number in text
    assert squeezed(total) in text  # English digits
    assert squeezed("Jaipur Discom (JVVNL)") in text
    assert squeezed("जयपुर डिस्कॉम") in text  # still bilingual


def test_every_biller_prints_its_receipt(biller, pay, wallet):
    payments = [pay(consumer, biller=code) for code, consumer in EXAMPLES.items()]
    run_outbox()
    for payment in payments:
        payment.refresh_from_db()
        assert payment.state == PaymentState.SUCCESS, payment.biller_id
        with translation.override("hi"):
            text = squeezed(pdf_text(receipts.render_receipt(payment, "thermal", strict=True)))
        biller_row = Biller.objects.get(pk=payment.biller_id)
        assert payment.number in text
        assert payment.consumer in text
        assert squeezed(biller_row.name_en) in text, biller_row.code
        assert squeezed(biller_row.name_hi) in text, biller_row.code
