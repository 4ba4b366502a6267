"""Journey: an operator tops up the wallet — e-Mitra's form, the gateway's hosted page (the
simulator, its own process), the signed callback, and back to e-Mitra's outcome page.

Run in Chromium because the page's strict CSP must let the form's redirect reach the
gateway's origin (`form-action`), which only a real browser enforces."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from emitra.accounts.roles import Role
from emitra.ledger import selectors as ledger_selectors


@pytest.mark.browser
@pytest.mark.simulators
@pytest.mark.django_db(transaction=True)
def test_an_operator_tops_up_the_wallet_through_the_payment_gateway(
    live_server, browser_page, make_user, payment_gateway
):
    operator = make_user(Role.OPERATOR, full_name="Kamla Meena")
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
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)

    page.goto(f"{live_server.url}/")
    page.locator('header.site-header a[href="/wallet/"]').click()
    expect(page.locator("#available-balance")).to_have_text("₹0.00")
    page.locator("#id_amount").fill("2,500")
    page.locator("main form.form button.primary").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(payment_gateway.url)}/pay/pgo_\w+$"))
    expect(page.locator("body")).to_contain_text("₹2,500.00")
    page.locator('button[value="pay"]').click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/wallet/topups/TOP-"))
    expect(page.locator(".outcome.ok")).to_be_visible()
    page.locator('a[href="/wallet/"]').first.click()
    expect(page.locator("#available-balance")).to_have_text("₹2,500.00")
    wallet = ledger_selectors.wallet_of(operator.pk)
    assert wallet is not None
    assert ledger_selectors.posted_balance(wallet) == 2_500_00
    assert refused == []
