"""Journey: a kiosk operator files a domicile (मूल निवास) application with its documents, a
Revenue officer assigns it and approves it, the signed certificate downloads, and the public
verify page accepts it — by number and name, and the downloaded file byte for byte.

The operator works in Hindi (e-Mitra's default language) and the officer switches to English,
so both languages are walked. Fields and buttons are found by id, not by text."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfWriter

from conftest import give_kiosk, verify_totp
from emitra.accounts.roles import Role
from emitra.applications.models import Application
from emitra.applications.tests.factories import certificate_form, fund
from emitra.catalog.models import DocumentType, ServiceDocument
from emitra.catalog.services import assign_department_staff
from emitra.catalog.tests import factories
from emitra.geo.models import Block, District


def session_for(page: Any, base: str, user: Any) -> None:
    """The user's logged-in session (with TOTP passed, for staff) handed to the browser."""
    client = Client()
    client.force_login(user)
    if user.needs_totp:
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


def choose_refreshing(page: Any, select: str, value: str, *, refreshes: str) -> None:
    """Choose in a picker whose change makes HTMX reload another's options (a district's
    blocks), and wait until they are swapped in. The dependent picker is not empty before
    (without a district it lists every block, for browsers without JavaScript), so waiting
    for an option is not enough: choosing before the swap loses the choice."""
    with page.expect_response(re.compile(refreshes)):
        page.locator(select).select_option(value)
    expect(page.locator(f"{select}.htmx-request")).to_have_count(0)  # removed after the swap


def domicile_service() -> Any:
    revenue = factories.department("revenue", name_en="Revenue", name_hi="राजस्व विभाग")
    factories.rate_card()
    service = factories.service(
        "domicile-certificate", revenue, name_en="Domicile certificate", name_hi="मूल निवास"
    )
    factories.version(
        service, form_schema=certificate_form(), workflow_ref="revenue.certificate.v1"
    )
    for n, code in enumerate(["jan-aadhaar", "self-declaration"]):
        doc_type, _ = DocumentType.objects.get_or_create(
            code=code, defaults={"name_en": code.title(), "name_hi": "दस्तावेज़"}
        )
        ServiceDocument.objects.create(
            service=service, document_type=doc_type, mandatory=True, sort_order=n
        )
    return service


def write_samples(folder: Path) -> dict[str, Path]:
    photo = folder / "photo.jpg"
    Image.new("RGB", (120, 150), (180, 200, 220)).save(photo, format="JPEG")
    pdf = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(pdf)
    paper = folder / "jan-aadhaar.pdf"
    paper.write_bytes(pdf.getvalue())
    return {"photo": photo, "pdf": paper}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_operator_files_a_domicile_application_and_the_certificate_verifies(
    live_server, browser_page, make_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    jaipur, _ = District.objects.get_or_create(
        slug="jaipur", defaults={"name_en": "Jaipur", "name_hi": "जयपुर", "lgd_code": 110}
    )
    Block.objects.get_or_create(
        lgd_code=990001, defaults={"district": jaipur, "name_en": "Sanganer"}
    )
    service = domicile_service()
    operator = make_user(Role.OPERATOR, full_name="Ramesh Kumar", district=jaipur)
    give_kiosk(operator)
    fund(operator)
    officer = make_user(Role.DEPARTMENT_OFFICER, full_name="Anil Sharma", district=jaipur)
    assign_department_staff(user=officer, department=service.department)
    files = write_samples(tmp_path)
    base = live_server.url
    page = browser_page
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)

    # The operator chooses the service and fills the form (in Hindi).
    session_for(page, base, operator)
    page.goto(f"{base}/applications/")
    page.locator('a[href="/applications/new/domicile-certificate/"]').click()
    page.locator("#f-applicant_name").fill("Sita Devi")
    page.locator("#f-relative_name").fill("Mohan Lal")
    page.locator("#f-date_of_birth").fill("1990-05-17")
    page.locator("#f-gender").select_option("female")
    page.locator("#f-jan_aadhaar").fill("1234567890")
    page.locator("#f-mobile").fill("9829012345")
    choose_refreshing(page, "#f-district", "jaipur", refreshes="/services/pickers/block/")
    page.locator("#f-block").select_option("990001")
    page.locator("#f-address").fill("12 Gandhi Nagar")
    page.locator("#f-pincode").fill("302015")
    page.locator("#f-photo").set_input_files(files["photo"])
    page.locator("#f-doc_jan_aadhaar").set_input_files(files["pdf"])
    page.locator("#f-doc_self_declaration").set_input_files(files["pdf"])
    page.locator("main form.form button.primary").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/applications/APP-[\d-]+/receipt/$"))
    number = page.locator("#application-number").inner_text().strip()
    expect(page.locator("main")).to_contain_text("XXXXXX2345")
    receipt = page.request.get(f"{base}/applications/{number}/receipt.pdf")
    assert receipt.ok and receipt.body().startswith(b"%PDF-")
    application = Application.objects.get(number=number)
    assert application.documents.count() == 3

    # The officer assigns it to themself and approves it.
    page.context.clear_cookies()
    session_for(page, base, officer)
    page.goto(f"{base}/applications/inbox/")
    page.locator('form.lang button[value="en"]').click()  # the officer works in English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator(f'a[href="/applications/{number}/"]').click()
    page.locator("#action-assign").click()
    page.locator("#action-approve").click()
    expect(page.locator("#certificate-link")).to_be_visible()
    application.refresh_from_db()
    assert application.state == "issued"
    certificate_number = page.locator("#certificate-link").inner_text().strip()
    assert certificate_number == application.certificate_number

    # The certificate downloads (the operator who filed it may fetch it too).
    download = page.request.get(f"{base}/certificates/{certificate_number}/pdf")
    assert download.ok
    signed = download.body()
    assert signed.startswith(b"%PDF-")
    pdf_path = tmp_path / "certificate.pdf"
    pdf_path.write_bytes(signed)

    # Anyone can check it on the public verify page: by number and name, then the file itself.
    page.context.clear_cookies()
    page.goto(f"{base}/certificates/verify/")
    page.locator("#id_number").fill(certificate_number)
    page.locator("#id_name").fill("Sita Devi")
    page.locator("main form.form button.primary").last.click()
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "valid")
    page.locator("#id_document").set_input_files(pdf_path)
    page.locator("#file-heading ~ form button").click()
    expect(page.locator("#file-verdict")).to_have_attribute("data-file", "match")
    assert refused == []
