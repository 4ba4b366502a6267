"""Journey: an operator enrols a family at the kiosk, the district society approves it, then
the operator asks the family for consent, the OTP (read from the SMS simulator) is entered and
the member's data is shown and fills a domicile application form (Hindi pages, the default)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from conftest import give_kiosk
from emitra.accounts.roles import Role
from emitra.applications.tests.factories import certificate_form
from emitra.catalog.tests import factories
from emitra.core import outbox
from emitra.core.verhoeff import check_digit
from emitra.geo.models import Block, District, GramPanchayat
from emitra.registry.models import Family, Member


def log_in(page: Any, live_server: Any, user: Any) -> None:
    """Put `user`'s session (TOTP passed, for staff) into the browser."""
    from conftest import verify_totp

    client = Client()
    client.force_login(user)
    if user.needs_totp:
        verify_totp(client, user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.mark.browser
@pytest.mark.simulators
@pytest.mark.django_db(transaction=True)
def test_an_operator_enrols_a_family_and_prefills_after_otp_consent(
    live_server, browser_page, make_user, sms_gateway
):
    jaipur, _ = District.objects.get_or_create(
        slug="jaipur", defaults={"name_en": "Jaipur", "name_hi": "जयपुर"}
    )
    block = Block.objects.create(lgd_code=900001, name_en="Sanganer", district=jaipur)
    GramPanchayat.objects.create(
        lgd_code=910001,
        name_en="Muhana",
        panchayat_samiti_code=1,
        panchayat_samiti_name="Sanganer",
        block=block,
        district=jaipur,
    )
    operator = make_user(Role.OPERATOR, full_name="Kamla Meena", district=jaipur)
    verifier = make_user(Role.DISTRICT_ADMIN, full_name="DeGS Jaipur", district=jaipur)
    body = "28765432101"
    aadhaar = body + check_digit(body)
    page = browser_page
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)

    # 1. The operator enrols the family (head of family), address picked district → block → GP.
    log_in(page, live_server, operator)
    page.goto(f"{live_server.url}/registry/enrol/")
    page.locator("#id_mobile").fill("9829055577")
    page.locator("#id_district").select_option("jaipur")
    expect(page.locator("#id_block option[value='900001']")).to_have_count(1)
    page.locator("#id_block").select_option("900001")
    expect(page.locator("#id_gram_panchayat option[value='910001']")).to_have_count(1)
    page.locator("#id_gram_panchayat").select_option("910001")
    page.locator("#id_address").fill("Ward 4, near the temple")
    page.locator("#id_pincode").fill("303301")
    page.locator("#id_head-name_en").fill("Sita Devi")
    page.locator("#id_head-name_hi").fill("सीता देवी")
    page.locator("#id_head-relative_name_en").fill("Ram Prasad")
    page.locator("#id_head-gender").select_option("female")
    page.locator("#id_head-date_of_birth").fill("1958-03-14")
    page.locator("#id_head-category").select_option("obc")
    page.locator("#id_head-marital_status").select_option("widowed")
    page.locator("#id_head-occupation").select_option("homemaker")
    page.locator("#id_head-annual_income").fill("30,000")
    page.locator("#id_head-aadhaar").fill(f"{aadhaar[:4]} {aadhaar[4:8]} {aadhaar[8:]}")
    page.locator("#enrol-form button.primary").click()
    expect(page).to_have_url(re.compile(r"/registry/requests/JANCR-\d{4}-\d{2}-\d{9}/$"))
    request_url = page.url
    expect(page.locator("main")).to_contain_text(f"XXXX XXXX {aadhaar[-4:]}")
    assert aadhaar not in page.content()

    # 2. The district society verifies and approves it.
    log_in(page, live_server, verifier)
    page.goto(request_url)
    page.locator("#approve").click()
    family = Family.objects.get()
    expect(page.locator("#family-id")).to_have_text(family.family_id)

    # 3. Back at the kiosk: ask the family for consent; the OTP goes to its mobile.
    log_in(page, live_server, operator)
    page.goto(f"{live_server.url}/registry/consent/")
    page.locator("#id_family_id").fill(family.family_id)
    page.locator("#id_purpose").select_option("application")
    page.locator("main form button.primary").click()
    expect(page).to_have_url(re.compile(r"/registry/consent/\d+/$"))
    assert outbox.run_due() == 1  # the worker's job: hand the SMS to the gateway
    sms = sms_gateway.messages("9829055577")[0]  # newest first (the simulator outlives tests)
    code = re.search(r"\b(\d{6})\b", sms["text"])
    assert code is not None
    page.locator("#id_code").fill(code.group(1))
    page.locator("main form button.primary").click()

    # 4. The family's data, ready for the application form.
    expect(page).to_have_url(re.compile(r"/registry/grants/[\w-]+/$"))
    grant_url = page.url
    page.locator("#members a.button").first.click()
    expect(page.locator('#prefill [data-field="applicant_name"]')).to_have_text("Sita Devi")
    expect(page.locator('#prefill [data-field="date_of_birth"]')).to_have_text("1958-03-14")
    expect(page.locator('#prefill [data-field="jan_aadhaar"]')).to_have_text(family.family_id)
    expect(page.locator('#prefill [data-field="gram_panchayat"]')).to_have_text("910001")
    expect(page.locator('#prefill [data-field="aadhaar_masked"]')).to_have_text(
        f"XXXX XXXX {aadhaar[-4:]}"
    )
    assert aadhaar not in page.content()

    # 5. The operator files a domicile application: the consent grant fills the form (this is
    #    where "Fill from Jan Aadhaar" on the form brings the operator back after the OTP).
    give_kiosk(operator)
    revenue = factories.department("revenue", name_en="Revenue", name_hi="राजस्व विभाग")
    factories.rate_card()
    service = factories.service(
        "domicile-certificate",
        revenue,
        name_en="Domicile certificate",
        name_hi="मूल निवास",
    )
    factories.version(
        service, form_schema=certificate_form(), workflow_ref="revenue.certificate.v1"
    )
    token = re.search(r"/registry/grants/([\w-]+)/", grant_url)
    assert token is not None
    member = Member.objects.get(family=family)
    page.goto(
        f"{live_server.url}/applications/new/domicile-certificate/"
        f"?jan_aadhaar_grant={token.group(1)}&member={member.member_id}"
    )
    expect(page.locator("#prefilled")).to_be_visible()
    expect(page.locator("[name=applicant_name]")).to_have_value("Sita Devi")
    assert aadhaar not in page.content()
    assert refused == []
