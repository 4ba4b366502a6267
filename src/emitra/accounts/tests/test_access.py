"""Who may open what: every view declares it, roles are enforced, data is scoped and masked."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from emitra.accounts.roles import Role
from emitra.catalog.services import assign_department_staff, save_department
from emitra.geo.models import District

MASKED_MOBILE = re.compile(r"^XXXXXX\d{4}$")


@dataclass(frozen=True)
class Route:
    path: str  # the route as written, e.g. "departments/<slug:code>/"
    name: str  # "namespace:name"
    view: Any


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin site guards its own views (is_staff + permissions)
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
            yield Route(prefix + str(entry.pattern), name, entry.callback)


def all_routes() -> list[Route]:
    return list(walk(get_resolver().url_patterns))


def role_pages() -> dict[str, frozenset[str]]:
    """URL → allowed roles, for every view declared with a role list and taking no URL args."""
    return {
        f"/{route.path}": frozenset(route.view.access["roles"])
        for route in all_routes()
        if isinstance(route.view.access.get("roles"), list) and "<" not in route.path
    }


# --- every view states who may call it -------------------------------------------------------


def test_every_view_declares_who_may_call_it():
    routes = all_routes()
    assert len(routes) > 10

    undeclared = [r.name for r in routes if not isinstance(getattr(r.view, "access", None), dict)]
    assert undeclared == [], "views without emitra.core.access.public or accounts.access.allow"
    unexplained = [r.name for r in routes if not r.view.access.get("reason")]
    assert unexplained == [], "every access declaration says why"


def test_the_role_pages_include_people_and_departments():
    pages = role_pages()

    assert pages["/accounts/users/"] == {Role.STATE_ADMIN, Role.AUDITOR, Role.DISTRICT_ADMIN}
    assert "/departments/" in pages


# --- the declarations are enforced -----------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login_from_every_role_page(client):
    for url in role_pages():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/accounts/login/?next={url}", url


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_each_role_opens_exactly_the_role_pages_declared_for_it(client_as, role):
    client = client_as(role)

    for url, allowed in role_pages().items():
        expected = 200 if role in allowed else 403
        assert client.get(url).status_code == expected, url


# --- scoping -----------------------------------------------------------------------------------


@pytest.fixture
def departments(db):
    revenue = save_department(code="revenue", name_en="Revenue Department", name_hi="राजस्व विभाग")
    phed = save_department(
        code="phed",
        name_en="Public Health Engineering Department",
        name_hi="जन स्वास्थ्य अभियांत्रिकी विभाग",
    )
    return revenue, phed


def department_codes(response) -> list[str]:
    return [department.code for department in response.context["departments"]]


@pytest.mark.django_db
def test_a_department_officer_sees_only_their_own_department(client_as, make_user, departments):
    revenue, _phed = departments
    officer = make_user(Role.DEPARTMENT_OFFICER)
    assign_department_staff(user=officer, department=revenue)
    client = client_as(Role.DEPARTMENT_OFFICER, user=officer)

    assert department_codes(client.get("/departments/")) == ["revenue"]
    assert client.get("/departments/revenue/").status_code == 200
    assert client.get("/departments/phed/").status_code == 404
    # The same 404 as for a code that does not exist: the URL reveals nothing.
    assert client.get("/departments/no-such-dept/").status_code == 404


@pytest.mark.django_db
def test_a_department_officers_search_and_csv_stay_in_their_department(
    client_as, make_user, departments
):
    revenue, _phed = departments
    officer = make_user(Role.DEPARTMENT_OFFICER)
    assign_department_staff(user=officer, department=revenue)
    client = client_as(Role.DEPARTMENT_OFFICER, user=officer)

    assert department_codes(client.get("/departments/", {"q": "Department"})) == ["revenue"]
    assert department_codes(client.get("/departments/", {"q": "विभाग"})) == ["revenue"]
    exported = csv_rows(client.get("/departments/", {"format": "csv", "q": "Department"}))
    assert [row["code"] for row in exported] == ["revenue"]


@pytest.mark.django_db
def test_a_department_officer_without_a_department_sees_none(client_as, departments):
    client = client_as(Role.DEPARTMENT_OFFICER)

    assert department_codes(client.get("/departments/")) == []
    assert client.get("/departments/revenue/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STATE_ADMIN, Role.AUDITOR])
def test_statewide_roles_see_every_department(client_as, departments, role):
    client = client_as(role)

    assert sorted(department_codes(client.get("/departments/"))) == ["phed", "revenue"]
    assert client.get("/departments/phed/").status_code == 200


@pytest.fixture
def two_districts(make_user):
    """A Jaipur operator and an Ajmer operator (Jaipur is what make_user gives district admins)."""
    jaipur, _ = District.objects.get_or_create(
        slug="jaipur", defaults={"name_en": "Jaipur", "name_hi": "जयपुर"}
    )
    ajmer = District.objects.create(slug="ajmer", name_en="Ajmer", name_hi="अजमेर")
    return (
        make_user(Role.OPERATOR, district=jaipur, mobile="9829000101"),
        make_user(Role.OPERATOR, district=ajmer, mobile="9829000202"),
    )


def people(response) -> set[str]:
    return {person.username for person in response.context["people"]}


def csv_rows(response) -> list[dict[str, str]]:
    assert response.content.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM, for Excel"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_a_district_society_sees_only_its_own_districts_people(client_as, two_districts):
    in_jaipur, in_ajmer = two_districts
    client = client_as(Role.DISTRICT_ADMIN)

    page = client.get("/accounts/users/")

    assert people(page) == {client.user.username, in_jaipur.username}
    assert in_ajmer.username not in page.content.decode()


@pytest.mark.django_db
def test_a_district_societys_csv_has_a_bom_its_rows_only_and_masked_mobiles(
    client_as, two_districts
):
    in_jaipur, in_ajmer = two_districts
    client = client_as(Role.DISTRICT_ADMIN)

    response = client.get("/accounts/users/", {"format": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert {row["sso_id"] for row in rows} == {client.user.username, in_jaipur.username}
    assert {row["district"] for row in rows} == {"Jaipur"}
    assert all(MASKED_MOBILE.match(row["mobile"]) for row in rows)
    assert in_jaipur.mobile not in response.content.decode("utf-8-sig")
    assert in_ajmer.username not in response.content.decode("utf-8-sig")


@pytest.mark.django_db
def test_an_auditor_sees_people_in_every_district(client_as, two_districts):
    in_jaipur, in_ajmer = two_districts
    client = client_as(Role.AUDITOR)

    assert {in_jaipur.username, in_ajmer.username} <= people(client.get("/accounts/users/"))
    exported = {row["sso_id"] for row in csv_rows(client.get("/accounts/users/?format=csv"))}
    assert {in_jaipur.username, in_ajmer.username} <= exported


# --- security headers and CSRF -----------------------------------------------------------------


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_and_anti_framing_headers(client):
    response = client.get("/")

    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_the_login_form_needs_its_csrf_token(make_user):
    user = make_user(Role.OPERATOR)
    browser = Client(enforce_csrf_checks=True)
    form = browser.get("/accounts/login/")
    assert 'name="csrfmiddlewaretoken"' in form.content.decode()
    credentials = {"username": user.username, "password": "correct-horse-42"}

    refused = browser.post("/accounts/login/", credentials)

    assert refused.status_code == 403
    assert "_auth_user_id" not in browser.session
    token = form.context["csrf_token"]
    accepted = browser.post("/accounts/login/", {**credentials, "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302


# --- personal data -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_people_page_shows_mobiles_masked_never_in_full(client_as, make_user):
    person = make_user(Role.OPERATOR, mobile="9829011234")
    client = client_as(Role.STATE_ADMIN)

    body = client.get("/accounts/users/").content.decode()

    assert person.username in body
    assert "XXXXXX1234" in body
    assert "9829011234" not in body
    assert client.user.mobile not in body
