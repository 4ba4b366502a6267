"""Journey (e-Mitra@Home) at a phone viewport: a citizen books a doorstep visit, it is assigned
to the @Home agent of their panchayat, and that operator marks it visited and completed.

The citizen works in Hindi (e-Mitra's default) and the operator switches to English, so both
languages are walked. Sessions are handed to the browser (the OTP login has its own journey);
fields and buttons are found by id, not by text."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from emitra.home_visits.models import Visit, VisitState
from emitra.home_visits.tests import factories as f

PHONE = {"width": 360, "height": 740}


def session_for(page: Any, base: str, user: Any) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )


def fits_the_screen(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"page is {width}px wide at a 360px viewport"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_citizen_books_a_home_visit_and_the_operator_completes_it(live_server, browser_page):
    base = live_server.url
    jaipur = f.district("jaipur")
    bassi = f.block(jaipur, "Bassi")
    gp = f.gram_panchayat(jaipur, bassi)
    f.kiosk(jaipur, kiosk_type="assisted")  # elsewhere in the district: not chosen
    agent = f.kiosk(jaipur, kiosk_type="home", gp=gp)
    f.home_service("income-certificate-home")
    citizen = f.citizen(jaipur, full_name="Sita Devi")
    day = f.tomorrow().isoformat()
    refused: list[str] = []

    # 1. The citizen books (in Hindi) on a phone.
    page = browser_page
    page.set_viewport_size(PHONE)
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    session_for(page, base, citizen)
    page.goto(f"{base}/home-visits/book/")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    fits_the_screen(page)
    page.locator("#id_district").select_option("jaipur")
    page.locator("#show-places").click()
    page.locator("#id_gram_panchayat").select_option(str(gp.pk))
    page.locator("#id_address").fill("12, Gandhi Nagar, Bassi")
    page.locator("#id_pin").fill("303301")
    page.locator("#id_service").select_option("income-certificate-home")
    page.locator("#id_day").fill(day)
    page.locator("#id_slot").select_option("14-16")
    page.locator("#id_priority_group").select_option("senior")
    page.locator("#book").click()
    expect(page.locator("#visit-state")).to_have_attribute("data-state", "assigned")
    expect(page.locator("#visit-kiosk")).to_contain_text(agent.code)
    expect(page.locator("#visit-charge")).to_contain_text("₹0.00")
    fits_the_screen(page)
    visit = Visit.objects.get()
    assert visit.kiosk == agent and visit.citizen == citizen
    page.goto(f"{base}/home-visits/")
    expect(page.locator(f'#visits a[href="/home-visits/{visit.number}/"]')).to_be_visible()
    page.context.clear_cookies()

    # 2. The operator finds it in tomorrow's list (in English), visits and completes it.
    session_for(page, base, agent.operator)
    page.goto(f"{base}/home-visits/today/?day={day}")
    page.locator("header.site-header form.lang button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    fits_the_screen(page)  # the list scrolls inside its box, not the page
    page.locator(f'#visits a[href="/home-visits/{visit.number}/"]').click()
    expect(page.locator("#visit-state")).to_have_attribute("data-state", "assigned")
    page.locator("#mark-visited").click()
    expect(page.locator("#visit-state")).to_have_attribute("data-state", "visited")
    page.locator("#mark-completed").click()
    expect(page.locator("#visit-state")).to_have_attribute("data-state", "completed")
    expect(page.locator("#history li")).to_have_count(4)
    fits_the_screen(page)

    visit.refresh_from_db()
    assert visit.state == VisitState.COMPLETED
    assert refused == []
