"""Journey: an operator working in Hindi pays an electricity bill — biller, K-number, the
bill with the name partly masked, pay from the wallet — waits on the receipt page while it is
pending (the page asks for the status by itself and reloads once the payment is final, to show
the biller's reference), and prints it (the A4 PDF downloads, the thermal one opens). Then the
day's list: a pending row turns paid in place, with no navigation at all."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from conftest import give_kiosk
from emitra.accounts.roles import Role
from emitra.billpay import services
from emitra.billpay.billers import ensure_billers
from emitra.billpay.models import Biller, BillPayment, PaymentState
from emitra.catalog import catalogfile, search
from emitra.core import outbox
from emitra.core.models import OutboxMessage, OutboxStatus
from emitra.ledger import chart
from emitra.ledger import services as ledger
from emitra.ledger.services import Leg


def _signed_in_operator(live_server, browser_page, make_user):
    """A Hindi-speaking operator with a kiosk and ₹10,000 in the wallet, logged in the browser."""
    search.invalidate()
    catalogfile.load_shipped_catalog()
    ensure_billers(Biller)  # seeded by migration; an earlier transactional test flushed them
    operator = make_user(Role.OPERATOR, full_name="Kamla Meena", preferred_language="hi")
    give_kiosk(operator)
    wallet = ledger.open_operator_wallet(user_id=operator.pk, name=operator.full_name)
    ledger.transfer(
        legs=[Leg(chart.gateway_clearing(), wallet, 10_000_00)], kind="topup", scope="e2e", key="f"
    )
    login = Client()
    login.force_login(operator)
    page = browser_page
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": login.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return operator, page


@pytest.mark.browser
@pytest.mark.simulators
@pytest.mark.django_db(transaction=True)
def test_an_operator_pays_an_electricity_bill_in_hindi_and_prints_the_receipt(
    live_server, browser_page, make_user, biller
):
    _operator, page = _signed_in_operator(live_server, browser_page, make_user)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)

    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    page.locator('header.site-header a[href="/bills/"]').click()
    page.locator('a[data-biller="jvvnl"]').click()
    expect(page.locator("h1")).to_contain_text("जयपुर डिस्कॉम")
    page.locator("#id_consumer").fill("210512345670")
    page.locator("main form button.primary").click()

    expect(page.locator("#bill-amount")).to_contain_text("₹")
    expect(page.locator("#bill-name")).to_contain_text("*")
    page.locator("#pay-button").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/bills/receipts/BPR-"))
    receipt = page.locator("#receipt [data-number]")
    expect(receipt).to_have_attribute("data-state", "pending")
    outbox.run_due()  # the worker calls the biller; the page notices and reloads by itself
    expect(receipt).to_have_attribute("data-state", "success")

    with page.expect_download() as download:
        page.locator("#download-a4").click()
    path = download.value.path()
    assert path is not None
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    href = page.locator("#print-thermal").get_attribute("href") or ""
    thermal = page.request.get(f"{live_server.url}{href}")
    assert thermal.ok and thermal.body().startswith(b"%PDF-")

    payment = BillPayment.objects.get()
    assert payment.state == PaymentState.SUCCESS
    assert refused == []


def _run_outbox_until_final(number: str) -> None:
    """The worker's loop in this process: run due messages until the payment is settled."""
    for _ in range(20):
        outbox.run_due()
        if BillPayment.objects.get(number=number).is_final:
            return
    pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count()
    raise AssertionError(f"{number} not settled; {pending} outbox messages pending")


@pytest.mark.browser
@pytest.mark.simulators
@pytest.mark.django_db(transaction=True)
def test_the_days_list_shows_a_pending_payment_turn_paid_without_navigation(
    live_server, browser_page, make_user, biller
):
    operator, page = _signed_in_operator(live_server, browser_page, make_user)
    jvvnl = Biller.objects.get(code="jvvnl")
    consumer = "210512345677"  # last digit 7: the biller says "pending" twice, then paid
    bill = services.fetch_bill(operator=operator, biller=jvvnl, consumer=consumer)
    payment = services.pay_bill(
        operator=operator,
        biller=jvvnl,
        consumer=consumer,
        amount=bill.amount,
        key="e2e-day-list-0001",
    )
    outbox.run_due()  # the biller call: it answers "pending"
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING

    page.goto(f"{live_server.url}/bills/today/")
    row = page.locator(f'tr[data-number="{payment.number}"]')
    expect(row).to_have_attribute("data-state", "pending")
    expect(row.locator(f'a[href="/bills/receipts/{payment.number}/a4.pdf"]')).to_be_visible()
    expect(row.locator(f'a[href="/bills/receipts/{payment.number}/thermal.pdf"]')).to_be_visible()
    page.evaluate("window.__stay = 1")  # gone if the page were reloaded or left

    _run_outbox_until_final(payment.number)
    expect(row).to_have_attribute("data-state", "success", timeout=15_000)
    expect(row.locator("[data-state-label]")).to_have_class("state state-success")
    assert page.evaluate("window.__stay") == 1
    assert page.url == f"{live_server.url}/bills/today/"
