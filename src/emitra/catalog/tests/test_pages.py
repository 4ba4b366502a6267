"""Public catalog pages in both languages, and the scoped back office."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from emitra.accounts.roles import Role
from emitra.catalog.models import Department, Service
from emitra.catalog.services import assign_department_staff
from emitra.core.verhoeff import check_digit


def in_language(client, language: str):
    client.cookies["emitra_lang"] = language
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["hi", "en"])
def test_catalog_pages_open_for_everyone_in_both_languages(client, shipped_catalog, language):
    in_language(client, language)
    for url in [
        "/services/",
        "/services/?q=jati+praman+patra",
        "/services/?type=B2C&channel=kiosk",
        "/services/department/revenue/",
        "/services/category/bills/",
        "/services/domicile-certificate/",
        "/services/domicile-certificate/form/",
        "/services/rate-list/",
    ]:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_search_page_finds_romanised_hindi(client, shipped_catalog):
    page = client.get("/services/", {"q": "mool niwas"})
    assert [s.code for s in page.context["results"]][:1] == ["domicile-certificate"]
    assert "मूल निवास प्रमाण-पत्र" in page.content.decode()


@pytest.mark.django_db
def test_a_service_page_shows_both_names_documents_sla_channels_and_the_fee(
    client, shipped_catalog
):
    in_language(client, "en")
    body = client.get("/services/domicile-certificate/").content.decode()

    assert "मूल निवास प्रमाण-पत्र" in body and "Domicile certificate" in body
    assert "Jan Aadhaar card" in body and "जन आधार कार्ड" in body
    assert "7 days" in body
    assert "e-Mitra kiosk" in body
    assert "₹50.00" in body


@pytest.mark.django_db
def test_a_bill_page_quotes_the_amount_asked_and_says_the_department_pays(client, shipped_catalog):
    in_language(client, "en")
    page = client.get("/services/jvvnl-electricity-bill/", {"amount": "3,000.01"})

    assert page.context["quote"].total_citizen == 3_000_01
    assert page.context["quote"].total_department == 14_00
    assert "₹3,000.01" in page.content.decode()
    bad = client.get("/services/jvvnl-electricity-bill/", {"amount": "12.345"})
    assert bad.context["amount_error"]
    assert 'aria-describedby="q-amount-error"' in bad.content.decode()


@pytest.mark.django_db
def test_a_draft_or_suspended_service_has_no_public_page(client, shipped_catalog):
    Service.objects.filter(code="palanhar-yojana").update(status="suspended")
    assert client.get("/services/palanhar-yojana/").status_code == 404
    assert client.get("/services/no-such-service/").status_code == 404


@pytest.mark.django_db
def test_the_rate_list_is_bilingual_and_shows_the_rate_card(client, shipped_catalog):
    in_language(client, "en")
    body = client.get("/services/rate-list/").content.decode()

    assert "ई-मित्र दर सूची" in body and "e-Mitra rate list" in body
    for amount in ("₹50.00", "₹100.00", "₹10.00", "₹2,000.00", "₹20.00", "₹30.00"):
        assert amount in body
    assert "free (paid by the department)" in body


@pytest.mark.django_db
def test_the_form_shows_errors_linked_to_their_fields_and_masks_aadhaar(client, shipped_catalog):
    in_language(client, "en")
    refused = client.post(
        "/services/old-age-pension/form/", {"aadhaar": "123412341234", "mobile": "12"}
    )

    assert refused.status_code == 422
    html = refused.content.decode()
    assert re.search(r'id="f-aadhaar"[^>]*aria-describedby="f-aadhaar-help f-aadhaar-error"', html)
    assert 'id="f-aadhaar-error"' in html and 'aria-invalid="true"' in html
    assert '<label for="f-mobile">' in html


@pytest.mark.django_db
def test_a_complete_form_is_confirmed_with_the_aadhaar_masked(client, shipped_catalog):
    in_language(client, "en")
    aadhaar = "99994105705" + check_digit("99994105705")
    answer = client.post(
        "/services/jvvnl-electricity-bill/form/",
        {"k_number": "210012345678", "mobile": "9829012345"},
    )
    assert answer.status_code == 200
    assert "The form is complete" in answer.content.decode()

    from emitra.catalog import formschema
    from emitra.catalog.models import ServiceVersion

    schema = ServiceVersion.objects.get(service__code="old-age-pension").form_schema
    with translation.override("en"):
        bound = formschema.bind(schema, {"aadhaar": aadhaar})
    assert ("Aadhaar number", f"XXXX-XXXX-{aadhaar[-4:]}") in bound.summary()


@pytest.mark.django_db
def test_a_department_admin_sees_only_their_services_in_the_back_office(
    client_as, make_user, shipped_catalog
):
    admin = make_user(Role.DEPARTMENT_ADMIN)
    assign_department_staff(user=admin, department=Department.objects.get(code="phed"))
    client = client_as(Role.DEPARTMENT_ADMIN, user=admin)

    listing = client.get("/admin/catalog/service/")
    assert listing.status_code == 200
    codes = {s.code for s in listing.context["cl"].result_list}
    assert codes == set(
        Service.objects.filter(department__code="phed").values_list("code", flat=True)
    )
    other = Service.objects.get(code="domicile-certificate")
    assert client.get(f"/admin/catalog/service/{other.pk}/change/").status_code in (302, 404)
    own = Service.objects.get(code="phed-water-bill")
    assert client.get(f"/admin/catalog/service/{own.pk}/change/").status_code == 200
    assert client.get("/admin/catalog/ratecard/add/").status_code == 403


@pytest.mark.django_db
def test_the_state_admin_may_edit_the_rate_card_in_the_back_office(client_as, shipped_catalog):
    client = client_as(Role.STATE_ADMIN)
    assert client.get("/admin/catalog/ratecard/add/").status_code == 200
