"""Bill payments show up where the counter works: the console's pending list and quick search,
and the public feedback pages that a receipt's QR code opens."""

from __future__ import annotations

from django.test import Client

from emitra.billpay.tests.conftest import k_number
from emitra.kiosks import services as kiosks
from emitra.kiosks.selectors import kiosk_of_operator


def test_a_pending_payment_is_listed_on_the_console(biller, pay, operator):
    payment = pay(k_number(7))  # late success: pending until the worker runs
    client = Client()
    client.force_login(operator)

    page = client.get("/console/").content.decode()

    assert payment.number in page
    assert f"/bills/receipts/{payment.number}/" in page


def test_the_console_search_serves_a_bill_at_its_biller(biller, operator, jvvnl):
    client = Client()
    client.force_login(operator)

    page = client.get("/console/", {"q": "jvvnl"}).content.decode()

    assert f"/bills/{jvvnl.code}/" in page


def test_a_citizen_can_complain_about_a_bill_receipt(biller, pay, operator):
    payment = pay(k_number(0))

    complaint = kiosks.submit_complaint(receipt_number=payment.number, category="overcharging")

    assert complaint.kiosk == kiosk_of_operator(operator)
