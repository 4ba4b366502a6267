"""Journey (citizen portal, phone viewport 360×740, Hindi): a citizen applies for a domicile
certificate online — the same form and documents as at the kiosk — pays the fee on the payment
gateway's hosted page (the simulator, its own process, which calls back signed), and the
application is filed with the fee taken from what the gateway collected. The form's draft
kept on the phone is gone once the application is filed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from emitra.accounts.roles import Role
from emitra.applications.models import Application
from emitra.catalog.models import VersionFee
from emitra.catalog.tests import factories
from emitra.geo.models import Block, District
from emitra.ledger import chart
from emitra.ledger.selectors import posted_balance
from emitra.portal.models import OnlineFee, OnlineState
from tests.e2e.test_domicile_application import (
    choose_refreshing,
    domicile_service,
    session_for,
    write_samples,
)
from tests.e2e.test_portal_bill import PHONE, fits_the_screen, wait_for_callback

MOBILE = "9829012345"


@pytest.mark.browser
@pytest.mark.simulators
@pytest.mark.django_db(transaction=True)
def test_a_citizen_applies_online_pays_the_fee_and_the_application_is_filed(
    live_server, browser_page, make_user, payment_gateway, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    jaipur, _ = District.objects.get_or_create(
        slug="jaipur", defaults={"name_en": "Jaipur", "name_hi": "जयपुर", "lgd_code": 110}
    )
    Block.objects.get_or_create(
        lgd_code=990001, defaults={"district": jaipur, "name_en": "Sanganer"}
    )
    service = domicile_service()
    VersionFee.objects.create(
        version=service.versions.get(),
        revenue_head=factories.head("revenue-certificate-fee", service.department),
        amount=40_00,
    )
    citizen = make_user(Role.CITIZEN, full_name="Sita Devi", mobile=MOBILE)
    files = write_samples(tmp_path)
    base = live_server.url
    page: Any = browser_page
    page.set_viewport_size(PHONE)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    session_for(page, base, citizen)

    # 1. The citizen chooses the service and fills the form on the phone.
    page.goto(f"{base}/my/apply/")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    page.locator('#apply-services a[href="/my/apply/domicile-certificate/"]').click()
    expect(page.locator("#fee")).to_contain_text("₹")
    fits_the_screen(page)
    page.locator("#f-applicant_name").fill("Sita Devi")
    page.locator("#f-relative_name").fill("Mohan Lal")
    page.locator("#f-date_of_birth").fill("1990-05-17")
    page.locator("#f-gender").select_option("female")
    page.locator("#f-jan_aadhaar").fill("1234567890")
    page.locator("#f-mobile").fill(MOBILE)
    choose_refreshing(page, "#f-district", "jaipur", refreshes="/services/pickers/block/")
    page.locator("#f-block").select_option("990001")
    page.locator("#f-address").fill("12 Gandhi Nagar")
    page.locator("#f-pincode").fill("302015")
    drafts = "Object.keys(localStorage).filter(k => k.startsWith('emitra-draft:'))"
    assert page.evaluate(drafts) == ["emitra-draft:portal-apply-domicile-certificate"]
    kept = page.evaluate("localStorage.getItem('emitra-draft:portal-apply-domicile-certificate')")
    assert "1234567890" not in kept  # identity numbers are never kept on the phone
    page.locator("#f-photo").set_input_files(files["photo"])
    page.locator("#f-doc_jan_aadhaar").set_input_files(files["pdf"])
    page.locator("#f-doc_self_declaration").set_input_files(files["pdf"])
    assert not Application.objects.exists()
    page.locator("#application-form button.primary").click()

    # 2. The gateway's hosted page: the citizen pays.
    expect(page).to_have_url(re.compile(rf"^{re.escape(payment_gateway.url)}/pay/pgo_\w+$"))
    page.locator('button[value="pay"]').click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/my/fees/OFP-"))
    found = re.search(r"/my/fees/(OFP-[\w-]+)/", page.url)
    assert found is not None, page.url
    order = wait_for_callback(found.group(1), OnlineFee)
    assert order.state == OnlineState.PAID

    # 3. Filed: the page shows the application number and its acknowledgement.
    expect(page.locator("#fee-status .outcome.ok")).to_be_visible()
    application = Application.objects.get()
    expect(page.locator("#application-number")).to_have_text(application.number)
    assert page.evaluate(drafts) == []  # the draft is gone once filed
    fits_the_screen(page)
    page.locator("#application-receipt").click()
    expect(page).to_have_url(f"{base}/applications/{application.number}/receipt/")

    assert application.channel == "portal" and application.citizen == citizen
    assert application.amount_paid == order.total
    assert application.documents.count() == 3
    assert posted_balance(chart.gateway_clearing()) == -order.total
    assert refused == []
