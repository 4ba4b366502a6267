"""Journey: an LSP onboards a kiosk, the district society approves it, records the training
and activates it, and the operator logs in to the counter (console), tops up the wallet
through the payment gateway (the simulator, its own process) and serves a citizen.

The LSP works in Hindi (e-Mitra's default) and the operator switches to English, so both
languages are walked. Fields and buttons are found by id and value, not by their text.

Last, the operator serves a citizen from the counter: an electricity bill paid through the
biller simulator, the receipt turning from pending to paid.

The browser window is a kiosk's 1366×768 screen, and the console must fit it: no sideways
scrolling (DESIGN: usable at 1366×768)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from conftest import verify_totp
from emitra.accounts.roles import Role
from emitra.billpay.billers import ensure_billers
from emitra.billpay.models import Biller
from emitra.catalog import catalogfile, search
from emitra.core import outbox
from emitra.kiosks import services
from emitra.kiosks.models import Kiosk
from emitra.kiosks.tests import factories
from emitra.ledger import selectors as ledger_selectors

PASSWORD = "kiosk-pass-2024"
KIOSK_SCREEN = {"width": 1366, "height": 768}


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button.primary").click()
    expect(page.locator("header.site-header .who")).to_be_visible()


def as_staff(page: Any, base: str, user: Any) -> None:
    """The district society's session (password and TOTP passed), handed to the browser."""
    client = Client()
    client.force_login(user)
    verify_totp(client, user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )


def assert_fits_the_width(page: Any) -> None:
    """Nothing sticks out to the right: the page never scrolls sideways."""
    sizes = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert sizes[0] <= sizes[1], f"page is {sizes[0]}px wide in a {sizes[1]}px window"


def act(page: Any, action: str, status: str) -> None:
    page.locator(f'form.kiosk-act button[value="{action}"]').click()
    expect(page.locator("#kiosk-status")).to_have_attribute("data-status", status)


@pytest.mark.browser
@pytest.mark.simulators
@pytest.mark.django_db(transaction=True)
def test_an_lsp_onboards_a_kiosk_and_its_operator_starts_work(
    live_server, browser_page, _chromium, make_user, payment_gateway, biller
):
    base = live_server.url
    search.invalidate()
    catalogfile.load_shipped_catalog()
    ensure_billers(Biller)  # seeded by migration; an earlier transactional test flushed them
    jaipur = factories.district("jaipur")
    gp = factories.gram_panchayat(jaipur, "Bassi")
    lsp_user = make_user(Role.LSP, full_name="Jaipur Digital Services", password=PASSWORD)
    services.register_lsp(
        actor=None, user=lsp_user, name="Jaipur Digital Services", district=jaipur
    )
    society = make_user(Role.DISTRICT_ADMIN, full_name="DeGS Jaipur", district=jaipur)
    operator = make_user(
        Role.OPERATOR, full_name="Kamla Meena", password=PASSWORD, username="op.kamla"
    )
    refused: list[str] = []

    # 1. The LSP applies (in Hindi, e-Mitra's default) and recommends the kiosk.
    page = browser_page
    page.set_viewport_size(KIOSK_SCREEN)
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    log_in(page, base, lsp_user.username)
    page.goto(f"{base}/kiosks/new/")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    page.locator("#id_code").fill("jpr-k-0100")
    page.locator("#id_name").fill("Bassi e-Mitra")
    page.locator("#id_kiosk_type").select_option("assisted")
    page.locator("#id_category").select_option("B")
    page.locator("#id_operator").fill("op.kamla")
    page.locator("#id_gram_panchayat").select_option(str(gp.pk))
    page.locator("#id_opens_at").fill("09:00")
    page.locator("#id_closes_at").fill("18:00")
    page.locator("main form.form button.primary").click()
    expect(page).to_have_url(f"{base}/kiosks/JPR-K-0100/")
    expect(page.locator("#kiosk-status")).to_have_attribute("data-status", "applied")
    act(page, "recommend", "recommended")
    page.context.clear_cookies()

    # 2. The district society approves, records the training and activates.
    as_staff(page, base, society)
    page.goto(f"{base}/kiosks/")
    page.locator('#kiosks a[href="/kiosks/JPR-K-0100/"]').click()
    act(page, "approve", "approved")
    act(page, "train", "trained")
    act(page, "activate", "active")
    kiosk = Kiosk.objects.get(code="JPR-K-0100")
    assert kiosk.operator == operator
    assert ledger_selectors.wallet_of(operator.pk) is not None
    page.context.clear_cookies()

    # 3. The operator logs in, switches to English and opens the counter.
    log_in(page, base, operator.username)
    page.locator("header.site-header form.lang button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator('header.site-header a[href="/console/"]').click()
    expect(page.locator("#kiosk-code")).to_have_text("JPR-K-0100")
    expect(page.locator("#kiosk-status")).to_have_attribute("data-status", "active")
    expect(page.locator("#available-balance")).to_have_text("₹0.00")
    expect(page.locator("#today")).to_contain_text("No transactions today yet.")
    assert_fits_the_width(page)
    page.keyboard.press("/")
    expect(page.locator("#console-q")).to_be_focused()

    # 4. … and tops up the wallet through the payment gateway.
    page.locator("#topup-link").click()
    page.locator("#id_amount").fill("6,000")
    page.locator("main form.form button.primary").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(payment_gateway.url)}/pay/pgo_\w+$"))
    page.locator('button[value="pay"]').click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/wallet/topups/TOP-"))
    expect(page.locator(".outcome.ok")).to_be_visible()
    page.goto(f"{base}/console/")
    expect(page.locator("#available-balance")).to_have_text("₹6,000.00")
    expect(page.locator("#today tbody tr")).to_have_count(1)

    # 5. A citizen comes to pay an electricity bill: the operator serves them from the counter.
    page.locator("#pay-bill-link").click()
    page.locator('a[data-biller="jvvnl"]').click()
    page.locator("#id_consumer").fill("210512345670")  # the simulator pays it
    page.locator("main form button.primary").click()
    expect(page.locator("#bill-amount")).to_contain_text("₹")
    page.locator("#pay-button").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/bills/receipts/BPR-"))
    receipt = page.locator("#receipt [data-number]")
    outbox.run_due()  # the worker calls the biller; the receipt page notices by itself
    expect(receipt).to_have_attribute("data-state", "success")
    page.goto(f"{base}/console/")
    expect(page.locator("#available-balance")).not_to_have_text("₹6,000.00")
    expect(page.locator("#pending-items")).to_contain_text("Nothing is pending.")
    assert_fits_the_width(page)  # with today's lines in the table
    assert refused == []
