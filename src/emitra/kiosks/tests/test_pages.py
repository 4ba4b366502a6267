"""The pages: onboarding through the browser's forms, coverage and map, complaints handling,
the operator's console, and the public rate list and feedback pages."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.test import Client

from emitra.accounts.roles import Role
from emitra.catalog.tests import factories as catalog_factories
from emitra.kiosks import services
from emitra.kiosks.models import Complaint, Kiosk, KioskStatus, Rating
from emitra.kiosks.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client):
    """Pages start in Hindi; these tests read the English msgids."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def anonymous() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def logged_in(client_as, user):
    return client_as(user.role, user=user)


def csv_rows(response) -> list[dict[str, str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_an_lsp_applies_for_a_kiosk_with_the_form(client_as, lsp, jaipur):
    operator = factories.user(Role.OPERATOR, jaipur, username="op.new")
    gp = factories.gram_panchayat(jaipur, "Bassi")
    client = logged_in(client_as, lsp.user)
    form = {
        "code": "jpr-k-0042",
        "name": "Bassi e-Mitra",
        "kiosk_type": "assisted",
        "category": "B",
        "operator": "op.new",
        "gram_panchayat": gp.pk,
        "opens_at": "09:00",
        "closes_at": "18:00",
    }

    response = client.post("/kiosks/new/", form)

    assert response.status_code == 302
    kiosk = Kiosk.objects.get(code="JPR-K-0042")
    assert (kiosk.operator, kiosk.gram_panchayat, kiosk.status) == (operator, gp, "applied")
    assert response["Location"] == "/kiosks/JPR-K-0042/"


def test_a_duplicate_code_in_the_form_is_refused_with_a_message(client_as, lsp, jaipur):
    factories.kiosk(lsp, code="JPR-K-0001")
    factories.user(Role.OPERATOR, jaipur, username="op.second")
    gp = factories.gram_panchayat(jaipur)
    client = logged_in(client_as, lsp.user)

    response = client.post(
        "/kiosks/new/",
        {
            "code": "JPR-K-0001",
            "name": "x",
            "kiosk_type": "assisted",
            "category": "B",
            "operator": "op.second",
            "gram_panchayat": gp.pk,
        },
    )

    assert response.status_code == 409
    assert "Kiosk code JPR-K-0001 is already in use" in response.content.decode()
    assert Kiosk.objects.count() == 1


def test_an_lsp_without_an_organisation_sees_why(client_as):
    client = client_as(Role.LSP)

    response = client.get("/kiosks/new/")

    assert response.status_code == 200
    assert "not registered as an LSP" in response.content.decode()


def test_the_district_approves_from_the_kiosk_page(client_as, lsp, society):
    kiosk = factories.kiosk(lsp, status=KioskStatus.RECOMMENDED)
    client = logged_in(client_as, society)

    page = client.get(f"/kiosks/{kiosk.code}/").content.decode()
    assert 'value="approve"' in page and 'value="suspend"' not in page
    response = client.post(f"/kiosks/{kiosk.code}/act/", {"action": "approve"})

    assert response.status_code == 302
    kiosk.refresh_from_db()
    assert kiosk.status == KioskStatus.APPROVED


def test_another_district_cannot_see_or_act_on_a_kiosk(client_as, lsp, ajmer):
    kiosk = factories.kiosk(lsp, status=KioskStatus.RECOMMENDED)
    client = logged_in(client_as, factories.user(Role.DISTRICT_ADMIN, ajmer))

    assert client.get(f"/kiosks/{kiosk.code}/").status_code == 404
    assert client.post(f"/kiosks/{kiosk.code}/act/", {"action": "approve"}).status_code == 404
    assert kiosk.code not in client.get("/kiosks/").content.decode()
    kiosk.refresh_from_db()
    assert kiosk.status == KioskStatus.RECOMMENDED


def test_an_action_on_a_suspended_kiosk_shows_a_clear_message(client_as, lsp, society):
    kiosk = factories.kiosk(lsp, status=KioskStatus.SUSPENDED, district_admin=society)
    client = logged_in(client_as, society)

    response = client.post(
        f"/kiosks/{kiosk.code}/act/", {"action": "suspend", "reason": "again"}, follow=True
    )

    assert "This kiosk is Suspended: the action is refused" in response.content.decode()
    kiosk.refresh_from_db()
    assert kiosk.status == KioskStatus.SUSPENDED


def test_the_kiosk_list_filters_and_exports(client_as, lsp, society):
    factories.kiosk(lsp, code="JPR-A-1")
    factories.kiosk(lsp, code="JPR-B-2", status=KioskStatus.ACTIVE, district_admin=society)
    client = logged_in(client_as, society)

    page = client.get("/kiosks/", {"status": "active"}).content.decode()
    rows = csv_rows(client.get("/kiosks/", {"format": "csv"}))

    assert "JPR-B-2" in page and "JPR-A-1" not in page
    assert sorted(row["code"] for row in rows) == ["JPR-A-1", "JPR-B-2"]


def test_coverage_page_filters_and_csv(client_as, lsp, society, jaipur):
    gp = factories.gram_panchayat(jaipur, "Served")
    factories.gram_panchayat(jaipur, "Not served")
    factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society, gp=gp)
    client = logged_in(client_as, society)

    page = client.get("/kiosks/coverage/", {"covered": "no"}).content.decode()
    rows = csv_rows(client.get("/kiosks/coverage/", {"format": "csv", "district": "jaipur"}))

    assert "Not served" in page and ">Served<" not in page
    assert {row["name"]: row["covered"] for row in rows} == {"Served": "yes", "Not served": "no"}


def test_the_map_page_is_an_inline_svg_credited_to_openstreetmap(client_as, lsp, society):
    factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society)
    response = client_as(Role.STATE_ADMIN).get("/kiosks/coverage/map/")
    page = response.content.decode()

    assert response.status_code == 200
    assert page.count("<path ") == 41
    assert "© OpenStreetMap contributors" in page
    assert 'data-district="jaipur"' in page
    assert "<script" not in page.split("</header>", 1)[1]


def test_complaints_list_is_scoped_highlights_overdue_and_exports(
    client_as, fake_receipts, lsp, society, ajmer
):
    kiosk = factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society)
    fake_receipts.issue("R-10", kiosk=kiosk)
    late = services.submit_complaint(receipt_number="R-10", category="overcharging")
    Complaint.objects.filter(pk=late.pk).update(due_at=late.created_at)
    client = logged_in(client_as, society)

    page = client.get("/kiosks/complaints/").content.decode()
    overdue_rows = csv_rows(client.get("/kiosks/complaints/", {"format": "csv", "overdue": "1"}))
    other = logged_in(client_as, factories.user(Role.DISTRICT_ADMIN, ajmer))

    assert late.number in page and 'class="overdue"' in page
    assert [row["number"] for row in overdue_rows] == [late.number]
    assert late.number not in other.get("/kiosks/complaints/").content.decode()
    assert other.get(f"/kiosks/complaints/{late.number}/").status_code == 404


def test_the_district_resolves_a_complaint_from_its_page(client_as, fake_receipts, lsp, society):
    kiosk = factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society)
    fake_receipts.issue("R-11", kiosk=kiosk)
    complaint = services.submit_complaint(receipt_number="R-11", category="behaviour")
    client = logged_in(client_as, society)

    refused = client.post(f"/kiosks/complaints/{complaint.number}/", {"action": "resolve"})
    done = client.post(
        f"/kiosks/complaints/{complaint.number}/", {"action": "resolve", "note": "warned"}
    )

    assert refused.status_code == 400
    assert "Write a note" in refused.content.decode()
    assert done.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.state, complaint.note) == ("resolved", "warned")


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.LSP, Role.CITIZEN])
def test_complaints_are_refused_to_other_roles(client_as, role):
    assert client_as(role).get("/kiosks/complaints/").status_code == 403


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.OPERATOR])
def test_the_console_is_refused_to_other_roles(client_as, role):
    assert client_as(role).get("/console/").status_code == 403


def test_the_console_shows_the_kiosk_wallet_and_search(client_as, lsp, society):
    kiosk = factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society)
    catalog_factories.rate_card()
    catalog_factories.service("domicile", name_en="Domicile certificate", name_hi="मूल निवास")
    client = logged_in(client_as, kiosk.operator)

    page = client.get("/console/").content.decode()
    found = client.get("/console/", {"q": "domicile"}, HTTP_HX_REQUEST="true").content.decode()

    assert kiosk.code in page
    assert 'id="available-balance">₹0.00' in page
    assert 'id="console-q"' in page and 'accesskey="s"' in page
    assert "Domicile certificate" in found and "<html" not in found


def test_the_console_of_a_suspended_kiosk_says_so(client_as, lsp, society):
    kiosk = factories.kiosk(lsp, status=KioskStatus.SUSPENDED, district_admin=society)

    page = logged_in(client_as, kiosk.operator).get("/console/").content.decode()

    assert 'id="kiosk-not-active"' in page


def test_an_operator_without_a_kiosk_gets_a_console_that_says_so(client_as):
    response = client_as(Role.OPERATOR).get("/console/")

    assert response.status_code == 200
    assert "You have no kiosk yet" in response.content.decode()


def test_the_public_rate_list_names_the_kiosk(lsp, society):
    kiosk = factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society)
    pending = factories.kiosk(lsp)
    catalog_factories.rate_card()

    page = anonymous().get(f"/kiosks/{kiosk.code}/rates/").content.decode()

    assert f'id="kiosk-code">{kiosk.code}<' in page
    assert "e-Mitra rate list" in page
    assert anonymous().get(f"/kiosks/{pending.code}/rates/").status_code == 404


def test_feedback_for_an_unknown_receipt_is_a_clear_404_and_stores_nothing(fake_receipts):
    client = anonymous()

    page = client.get("/feedback/NO-SUCH-1/")
    posted = client.post("/feedback/NO-SUCH-1/complain/", {"category": "overcharging"})

    assert page.status_code == posted.status_code == 404
    assert "No receipt has the number" in posted.content.decode()
    assert not Complaint.objects.exists()


def test_a_citizen_rates_once_and_complains_from_the_receipt_link(fake_receipts, lsp, society):
    kiosk = factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society)
    fake_receipts.issue("RJ-2026-27-000000009", kiosk=kiosk)
    client = anonymous()

    page = client.get("/feedback/RJ-2026-27-000000009/").content.decode()
    rated = client.post("/feedback/RJ-2026-27-000000009/rate/", {"stars": "5"})
    again = client.post("/feedback/RJ-2026-27-000000009/rate/", {"stars": "1"})
    complained = client.post(
        "/feedback/RJ-2026-27-000000009/complain/",
        {"category": "overcharging", "description": "₹20 extra", "contact_mobile": "9829012345"},
    )

    assert "Domicile certificate" in page and kiosk.code in page
    assert rated.status_code == 200 and "Your rating was received" in rated.content.decode()
    assert again.status_code == 409 and "already been rated" in again.content.decode()
    assert complained.status_code == 200
    assert list(Rating.objects.values_list("stars", flat=True)) == [5]
    complaint = Complaint.objects.get()
    assert complaint.number in complained.content.decode()
    assert complaint.contact_mobile == "9829012345"


def test_the_pages_render_in_hindi_too(client_as, fake_receipts, lsp, society):
    kiosk = factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society)
    catalog_factories.rate_card()
    fake_receipts.issue("R-HI", kiosk=kiosk)
    complaint = services.submit_complaint(receipt_number="R-HI", category="overcharging")
    pages = {
        society: [
            "/kiosks/",
            f"/kiosks/{kiosk.code}/",
            "/kiosks/coverage/",
            "/kiosks/coverage/map/",
            "/kiosks/complaints/",
            f"/kiosks/complaints/{complaint.number}/",
        ],
        kiosk.operator: ["/console/", "/console/?q=domicile"],
        lsp.user: ["/kiosks/new/"],
    }
    for user, urls in pages.items():
        client = logged_in(client_as, user)
        client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert '<html lang="hi">' in response.content.decode(), url
    for url in (f"/kiosks/{kiosk.code}/rates/", "/feedback/R-HI/"):
        response = Client().get(url)
        assert response.status_code == 200, url
        assert '<html lang="hi">' in response.content.decode(), url


def test_the_kiosk_list_filters_by_type_and_flag(client_as, lsp, society, jaipur):
    plain = factories.kiosk(lsp, code="JPR-T-1", status=KioskStatus.ACTIVE, district_admin=society)
    machine = factories.kiosk(lsp, code="JPR-T-2")
    quiet = factories.kiosk(lsp, code="JPR-T-3")
    Kiosk.objects.filter(pk=machine.pk).update(kiosk_type="plus")
    Kiosk.objects.filter(pk=quiet.pk).update(inactive_month="2026-10-01")
    Kiosk.objects.filter(pk=plain.pk).update(offender_flagged_at="2026-11-01T10:00:00+05:30")
    client = logged_in(client_as, society)

    def codes(**params: str) -> list[str]:
        rows = csv_rows(client.get("/kiosks/", {**params, "format": "csv"}))
        return sorted(row["code"] for row in rows)

    assert codes(type="plus") == ["JPR-T-2"]
    assert codes(type="assisted") == ["JPR-T-1", "JPR-T-3"]
    assert codes(type="nonsense") == ["JPR-T-1", "JPR-T-2", "JPR-T-3"]  # ignored, not an error
    assert codes(flagged="inactive") == ["JPR-T-3"]
    assert codes(flagged="offender") == ["JPR-T-1"]
    page = client.get("/kiosks/", {"flagged": "inactive"}).content.decode()
    assert "JPR-T-3" in page and "JPR-T-1" not in page


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        ("18:00", "09:00", "The closing time must be after the opening time."),
        ("09:00", "09:00", "The closing time must be after the opening time."),
        ("09:00", "", "Give both the opening and the closing time, or neither."),
    ],
)
def test_the_kiosk_hours_must_open_before_they_close(
    client_as, lsp, jaipur, opens, closes, message
):
    factories.user(Role.OPERATOR, jaipur, username="op.hours")
    gp = factories.gram_panchayat(jaipur)
    client = logged_in(client_as, lsp.user)

    response = client.post(
        "/kiosks/new/",
        {
            "code": "JPR-H-0001",
            "name": "Hours",
            "kiosk_type": "assisted",
            "category": "B",
            "operator": "op.hours",
            "gram_panchayat": gp.pk,
            "opens_at": opens,
            "closes_at": closes,
        },
    )

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Kiosk.objects.filter(code="JPR-H-0001").exists()
