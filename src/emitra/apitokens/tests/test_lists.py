"""Every list is one Page shape (items, count, page, page_size, next, previous) with bounds
checked; the catalog and districts are public, applications and certificates are the caller's."""

from __future__ import annotations

import pytest
from django.test import override_settings

from emitra.accounts.roles import Role
from emitra.catalog import catalogfile, search
from emitra.catalog.models import Department
from emitra.catalog.services import assign_department_staff
from emitra.certificates import services as certificates
from emitra.geo.models import District

pytestmark = pytest.mark.django_db

DISTRICTS = "/api/v1/geo/districts"


@pytest.fixture
def districts(db):
    District.objects.all().delete()
    names = [("ajmer", "Ajmer", "अजमेर"), ("alwar", "Alwar", "अलवर"), ("jaipur", "Jaipur", "जयपुर")]
    for slug, en, hi in names:
        District.objects.create(slug=slug, name_en=en, name_hi=hi)


@pytest.fixture
def catalog(db):
    search.invalidate()
    catalogfile.load_shipped_catalog()
    yield
    search.invalidate()


def test_a_page_says_where_it_is(anonymous, districts):
    first = anonymous.get(DISTRICTS, {"page_size": 2}).json()
    second = anonymous.get(DISTRICTS, {"page_size": 2, "page": 2}).json()

    assert [d["slug"] for d in first["items"]] == ["ajmer", "alwar"]
    assert (first["count"], first["page"], first["next"], first["previous"]) == (3, 1, 2, None)
    assert [d["slug"] for d in second["items"]] == ["jaipur"]
    assert (second["next"], second["previous"]) == (None, 1)


def test_a_page_past_the_end_is_empty_not_an_error(anonymous, districts):
    response = anonymous.get(DISTRICTS, {"page": 9})

    assert response.status_code == 200
    assert response.json()["items"] == []
    assert response.json()["count"] == 3


@pytest.mark.parametrize(
    "params", [{"page": 0}, {"page_size": 0}, {"page_size": 101}, {"page": "two"}]
)
def test_page_bounds_are_checked_in_the_envelope(anonymous, districts, params):
    response = anonymous.get(DISTRICTS, params)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "api.invalid"
    assert next(iter(params)) in response.json()["error"]["message"]


def test_districts_can_be_searched_in_hindi(anonymous, districts):
    found = anonymous.get(DISTRICTS, {"q": "जयपुर"}).json()

    assert [d["slug"] for d in found["items"]] == ["jaipur"]


def test_the_catalog_is_public_and_filters_by_words_department_and_type(anonymous, catalog):
    everything = anonymous.get("/api/v1/catalog/services", {"page_size": 100}).json()
    bills = anonymous.get("/api/v1/catalog/services", {"type": "BILL"}).json()
    some = everything["items"][0]
    by_department = anonymous.get(
        "/api/v1/catalog/services", {"department": some["department"], "page_size": 100}
    ).json()
    by_word = anonymous.get("/api/v1/catalog/services", {"q": some["name_en"].split()[0]}).json()

    assert everything["count"] > 5
    assert bills["count"] > 0
    assert {s["service_type"] for s in bills["items"]} == {"BILL"}
    assert {s["department"] for s in by_department["items"]} == {some["department"]}
    assert some["code"] in {s["code"] for s in by_word["items"]} or by_word["next"]
    bad = anonymous.get("/api/v1/catalog/services", {"type": "NOPE"})
    assert bad.status_code == 422


def test_my_applications_is_empty_for_a_new_citizen_and_needs_a_login(api_as, anonymous):
    client = api_as(Role.CITIZEN)

    assert client.get("/api/v1/me/applications").json() == {
        "items": [],
        "count": 0,
        "page": 1,
        "page_size": 20,
        "next": None,
        "previous": None,
    }
    assert anonymous.get("/api/v1/me/applications").status_code == 401


@pytest.fixture
def issued_certificate(make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    District.objects.get_or_create(slug="jaipur", defaults={"name_en": "Jaipur", "name_hi": "जयपुर"})
    revenue = Department.objects.create(code="tstrev", name_en="Revenue", name_hi="राजस्व")
    officer = make_user(Role.DEPARTMENT_OFFICER)
    assign_department_staff(user=officer, department=revenue)
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        cert = certificates.issue_certificate(
            kind="domicile",
            application_number="APP-2026-27-000000001",
            holder_name_en="Smt. Priyanka Kshatriya",
            holder_name_hi="श्रीमती प्रियंका क्षत्रिय",
            fields={"father_name": "राजेश क्षत्रिय", "address": "वार्ड 5, सांगानेर"},
            issued_by=officer,
            district_code="jaipur",
        )
    return officer, cert


def test_my_certificates_lists_what_the_caller_may_download(api_as, issued_certificate):
    officer, cert = issued_certificate
    theirs = api_as(user=officer).get("/api/v1/me/certificates").json()
    stranger = api_as(Role.CITIZEN).get("/api/v1/me/certificates").json()

    assert [c["number"] for c in theirs["items"]] == [cert.number]
    assert theirs["items"][0]["download_url"] == f"/certificates/{cert.number}/pdf"
    assert stranger["count"] == 0
