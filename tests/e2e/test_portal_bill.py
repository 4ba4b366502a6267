"""Journey (citizen portal) at a phone viewport (360×740): a citizen logs in by mobile OTP
(the code read from the SMS simulator), pays a PHED water bill online on the payment
gateway's hosted page (the simulator, its own process, which calls back signed), the biller
(simulator) confirms, and the citizen downloads the receipt PDF — in Hindi, e-Mitra's
default. No kiosk wallet is involved: the money comes through gateway clearing."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from emitra.accounts.roles import Role
from emitra.billpay.billers import ensure_billers
from emitra.billpay.models import Biller, BillPayment, PaymentState
from emitra.catalog import catalogfile, search
from emitra.core import outbox
from emitra.core.models import OutboxMessage, OutboxStatus
from emitra.ledger import chart
from emitra.ledger.selectors import posted_balance
from emitra.portal.models import OnlineBill, OnlineState

PHONE = {"width": 360, "height": 740}
MOBILE = "9829012345"
CONSUMER = "1403567890"  # the biller simulator confirms at once


def fits_the_screen(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"page is {width}px wide at a 360px viewport"


def wait_for_callback(number: str, model: Any = OnlineBill) -> Any:
    """The gateway calls back on its own thread: wait for its word (bounded, not asserted)."""
    for _ in range(150):
        order = model.objects.get(number=number)
        if not order.is_open:
            return order
        time.sleep(0.1)
    return model.objects.get(number=number)


@pytest.mark.browser
@pytest.mark.simulators
@pytest.mark.django_db(transaction=True)
def test_a_citizen_logs_in_by_otp_pays_a_water_bill_online_and_downloads_the_receipt(
    live_server, browser_page, make_user, biller, payment_gateway, sms_gateway
):
    search.invalidate()
    catalogfile.load_shipped_catalog()
    ensure_billers(Biller)  # seeded by migration; an earlier transactional test flushed them
    # Outbox ids apart from earlier tests' (the SMS simulator drops a reused reference).
    OutboxMessage.objects.create(
        id=int(time.time() * 1000), topic="tests.id_spacer", status=OutboxStatus.DONE
    )
    make_user(Role.CITIZEN, full_name="Sita Devi", mobile=MOBILE)
    base = live_server.url
    page = browser_page
    page.set_viewport_size(PHONE)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)

    # 1. Log in by OTP.
    page.goto(f"{base}/accounts/citizen/")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    page.locator("#id_mobile").fill(MOBILE)
    page.locator("main form button.primary").click()
    expect(page).to_have_url(f"{base}/accounts/citizen/verify/")
    outbox.run_due()  # the worker sends the SMS
    [sms] = sms_gateway.messages(MOBILE)
    code = re.search(r"\b(\d{6})\b", sms["text"])
    assert code is not None, sms["text"]
    page.locator("#id_code").fill(code.group(1))
    page.locator("main form button.primary").click()

    # 2. The portal, on a phone: a citizen lands there after the OTP.
    expect(page).to_have_url(f"{base}/my/")
    expect(page.locator("h1")).to_be_visible()
    fits_the_screen(page)
    page.locator('.portal-nav a[href="/my/bills/"]').click()
    page.locator("#id_biller").select_option("phed")
    page.locator("#id_consumer").fill(CONSUMER)
    page.locator("#bill-fetch button.primary").click()
    expect(page.locator("#amount-due")).to_contain_text("₹")
    fits_the_screen(page)
    page.locator("#bill-pay button.primary").click()

    # 3. The gateway's hosted page.
    expect(page).to_have_url(re.compile(rf"^{re.escape(payment_gateway.url)}/pay/pgo_\w+$"))
    page.locator('button[value="pay"]').click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/my/bills/OBP-"))
    found = re.search(r"/my/bills/(OBP-[\w-]+)/", page.url)
    assert found is not None, page.url
    number = found.group(1)
    order = wait_for_callback(number)
    assert order.state == OnlineState.PAID

    # 4. The worker takes the money to the biller; the receipt is ready.
    outbox.run_due()  # the page notices by itself (HTMX polls while the biller is asked)
    expect(page.locator("#bill-status .outcome.ok")).to_be_visible()
    fits_the_screen(page)
    with page.expect_download() as download:
        page.locator("#receipt-pdf").click()
    path = download.value.path()
    assert path is not None
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    payment = BillPayment.objects.get()
    assert payment.state == PaymentState.SUCCESS
    assert payment.operator.role == Role.CITIZEN
    assert posted_balance(chart.gateway_clearing()) == -order.total
    assert refused == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_app_keeps_drafts_on_the_phone_and_shows_its_offline_shell(
    live_server, browser_page, make_user
):
    """A half-typed bill form survives a reload, logging out wipes it, and with the network
    gone a page opens the cached offline shell (served by the service worker)."""
    search.invalidate()
    catalogfile.load_shipped_catalog()
    ensure_billers(Biller)
    citizen = make_user(Role.CITIZEN, full_name="Sita Devi", mobile=MOBILE)
    base = live_server.url
    page = browser_page
    page.set_viewport_size(PHONE)
    login = Client()
    login.force_login(citizen)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": login.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )

    page.goto(f"{base}/my/bills/")
    fits_the_screen(page)
    page.locator("#id_consumer").fill(CONSUMER)
    page.reload()
    expect(page.locator("#id_consumer")).to_have_value(CONSUMER)

    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the service worker
    page.context.set_offline(True)
    page.goto(f"{base}/my/")
    expect(page.locator("main h1")).to_have_text(re.compile("ऑफ़लाइन|offline", re.IGNORECASE))
    page.context.set_offline(False)

    page.goto(f"{base}/my/bills/")
    page.locator('header form[action$="/logout/"] button').click()
    drafts = "Object.keys(localStorage).filter(k => k.startsWith('emitra-draft:'))"
    assert page.evaluate(drafts) == []
