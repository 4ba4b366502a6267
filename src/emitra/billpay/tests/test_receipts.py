"""Receipts for every attempt — paid, failed and pending — in A4 and thermal layouts, Hindi and
English, with a QR whose signed payload the verification page trusts; SMS to the citizen."""

from __future__ import annotations

import pytest
from django.utils import translation

from emitra.billpay import receipts, selectors
from emitra.billpay.models import PaymentState
from emitra.billpay.tests.conftest import k_number, run_outbox
from emitra.core.tests.pdftext import pdf_text, squeezed

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
