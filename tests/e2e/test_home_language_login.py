"""Journey: a Hindi home page, switch to English, an operator logs in and sees their name."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from emitra.accounts.roles import Role

PASSWORD = "kiosk-pass-2024"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_visitor_switches_to_english_and_an_operator_logs_in(live_server, browser_page, make_user):
    operator = make_user(Role.OPERATOR, full_name="Kamla Meena", password=PASSWORD)
    page = browser_page
    html = page.locator("html")
    header = page.locator("header.site-header")

    # The browser asks for English (locale en-IN), but e-Mitra starts in Hindi.
    page.goto(f"{live_server.url}/")
    expect(html).to_have_attribute("lang", "hi")

    header.get_by_role("button", name="English").click()
    expect(html).to_have_attribute("lang", "en")
    expect(header.get_by_role("button", name="हिन्दी")).to_be_visible()

    header.get_by_role("link", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    page.get_by_label("Mobile number or SSO ID").fill(operator.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{live_server.url}/console/")  # an operator's day starts there
    expect(header.locator(".who")).to_contain_text("Kamla Meena")
    expect(header.get_by_role("button", name="Log out")).to_be_visible()
    expect(html).to_have_attribute("lang", "en")
