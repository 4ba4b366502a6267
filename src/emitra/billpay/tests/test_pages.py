"""The counter's pages: biller → consumer number → bill (name masked) → pay → receipt with
print buttons; the day's list with live status and CSV; the public verification page; and
every other role refused."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.utils import translation

from emitra.accounts.roles import Role
from emitra.billpay import receipts
from emitra.billpay.models import BillPayment, PaymentState
from emitra.billpay.tests.conftest import FUNDS, available, fund, k_number, run_outbox

pytestmark = [pytest.mark.simulators, pytest.mark.django_db]

PAGES = ["/bills/", "/bills/today/", "/bills/jvvnl/", "/bills/today/states.json"]


@pytest.fixture
def counter(client, operator, wallet):
    client.force_login(operator)
    return client


def _fetch(client, consumer, biller="jvvnl"):
    return client.post(f"/bills/{biller}/", {"consumer": consumer})


def _pay_form(response):
    form = response.context["form"]
    return {name: form[name].value() for name in ("consumer", "amount", "key")}


def test_an_operator_fetches_pays_and_gets_the_receipt(biller, counter, wallet):
    assert "jvvnl" in counter.get("/bills/").content.decode()
    page = _fetch(counter, "2105 1234 5670")
    assert page.status_code == 200
    html = page.content.decode()
    bill = page.context["bill"]
    name = bill.customer_name
    assert receipts.mask_name(name) in html
    assert name not in html  # only partly shown

    paid = counter.post("/bills/jvvnl/pay/", _pay_form(page))
    assert paid.status_code == 302
    number = paid["Location"].rstrip("/").rsplit("/", 1)[1]
    payment = BillPayment.objects.get(number=number)
    assert payment.amount == bill.amount
    assert available(wallet) == FUNDS - payment.total

    pending = counter.get(paid["Location"]).content.decode()
    assert 'data-state="pending"' in pending
    assert "billpay/live-status.js" in pending
    run_outbox()
    receipt = counter.get(paid["Location"]).content.decode()
    assert 'data-state="success"' in receipt
    assert f"/bills/receipts/{number}/a4.pdf" in receipt
    assert f"/bills/receipts/{number}/thermal.pdf" in receipt

    for layout in ("a4", "thermal"):
        pdf = counter.get(f"/bills/receipts/{number}/{layout}.pdf")
        assert pdf.status_code == 200
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")


def test_the_pay_form_shows_refusals_and_changes_nothing(biller, counter, wallet):
    page = _fetch(counter, k_number(0))
    data = {**_pay_form(page), "amount": "1"}
    refused = counter.post("/bills/jvvnl/pay/", data)
    assert refused.status_code == 400
    assert "accepts only the full bill amount" in refused.content.decode()
    assert BillPayment.objects.count() == 0
    assert available(wallet) == FUNDS


def test_a_malformed_consumer_number_is_shown_on_the_form(biller, counter):
    page = _fetch(counter, "12ab")
    assert page.status_code == 400
    assert "Enter a valid K-number (12 digits)" in page.content.decode()
    assert biller.payments() == []


def test_the_bill_page_warns_when_the_bill_was_paid_recently(biller, counter, wallet):
    first = counter.post("/bills/jvvnl/pay/", _pay_form(_fetch(counter, k_number(0))))
    run_outbox()
    page = _fetch(counter, k_number(0))
    assert 'id="recently-paid"' in page.content.decode()
    again = counter.post("/bills/jvvnl/pay/", _pay_form(page))
    assert again.status_code == 409
    assert "already paid" in again.content.decode()
    assert first.status_code == 302
    assert BillPayment.objects.count() == 1


def test_the_bill_page_warns_while_a_payment_of_the_bill_is_in_progress(biller, counter, pay):
    pending = pay(k_number(7))  # the biller has not confirmed it yet
    page = _fetch(counter, k_number(7))
    html = page.content.decode()
    assert page.status_code == 200
    assert f"A payment of this bill is still in progress (receipt {pending.number})" in html
    again = counter.post("/bills/jvvnl/pay/", _pay_form(page))
    assert again.status_code == 409
    assert "Wait for its result before paying again" in again.content.decode()
    assert BillPayment.objects.count() == 1


def test_the_days_list_filters_exports_and_reports_live_states(biller, counter, pay):
    ok = pay(k_number(0))
    late = pay(k_number(7, prefix="11041234567"), biller="avvnl")
    run_outbox(limit=1)  # the first round only: the late one is still pending

    page = counter.get("/bills/today/")
    html = page.content.decode()
    assert ok.number in html and late.number in html
    assert "data-live-status" in html
    # Reprint from the list: both layouts for every row, and the link serves the PDF.
    for number in (ok.number, late.number):
        assert f'href="/bills/receipts/{number}/a4.pdf"' in html
        assert f'href="/bills/receipts/{number}/thermal.pdf"' in html
    reprint = counter.get(f"/bills/receipts/{ok.number}/thermal.pdf")
    assert reprint.status_code == 200
    assert reprint["Content-Type"] == "application/pdf"
    assert reprint.content.startswith(b"%PDF")

    states = counter.get("/bills/today/states.json", {"n": [ok.number, late.number]}).json()
    by_number = {p["number"]: p for p in states["payments"]}
    assert by_number[ok.number]["state"] == "success"
    assert by_number[late.number]["state"] == "pending"

    filtered = counter.get("/bills/today/", {"state": "pending"}).content.decode()
    assert late.number in filtered and ok.number not in filtered
    rows = list(
        csv.DictReader(
            io.StringIO(counter.get("/bills/today/", {"format": "csv"}).content.decode("utf-8-sig"))
        )
    )
    assert {r["receipt"] for r in rows} == {ok.number, late.number}
    run_outbox()
    late.refresh_from_db()
    assert late.state == PaymentState.SUCCESS


def test_an_operator_cannot_open_another_operators_receipt(biller, pay, make_user):
    payment = pay(k_number(0))
    other = make_user(Role.OPERATOR)
    fund(other)
    client = Client()
    client.force_login(other)
    assert client.get(f"/bills/receipts/{payment.number}/").status_code == 404
    assert client.get(f"/bills/receipts/{payment.number}/a4.pdf").status_code == 404
    assert client.get("/bills/today/states.json", {"n": payment.number}).json() == {"payments": []}


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.OPERATOR])
def test_other_roles_are_refused_the_counter(client_as, catalog, role):
    client = client_as(role)
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    assert client.post("/bills/jvvnl/pay/", {}).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, catalog):
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_qr_opens_the_public_verification_page(biller, pay, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    payment = pay(k_number(0))
    run_outbox()
    payment.refresh_from_db()
    url = receipts.verify_url(payment)
    path = url.split("://", 1)[1].split("/", 1)[1]

    page = client.get(f"/{path}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Genuine e-Mitra receipt." in html
    assert payment.number in html and "Paid" in html
    assert payment.customer_name not in html

    by_number = client.get("/receipts/verify/", {"number": payment.number})
    assert by_number.status_code == 200
    assert "This receipt number exists." in by_number.content.decode()

    forged = client.get("/receipts/verify/", {"p": receipts.signed_payload(payment)[:-3] + "abc"})
    assert forged.status_code == 404
    assert "not issued by e-Mitra" in forged.content.decode()
    missing = client.get("/receipts/verify/", {"number": "BPR-2026-27-999999999"})
    assert missing.status_code == 404


def test_the_counter_speaks_hindi(biller, counter, operator):
    operator.preferred_language = "hi"
    operator.save(update_fields=["preferred_language"])
    with translation.override("hi"):
        html = counter.get("/bills/", HTTP_ACCEPT_LANGUAGE="hi").content.decode()
    assert "जयपुर डिस्कॉम" in html
