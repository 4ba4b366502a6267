"""The application lists: the kiosk's own (filters, CSV), the department inbox (search, dates,
pages, CSV of every filtered row) and the statewide read-only list for the state admin and
the auditor (everyone else refused)."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from emitra.accounts.roles import Role
from emitra.applications import services, views
from emitra.applications.models import Application
from emitra.core.timeutil import IST


def csv_numbers(response) -> list[str]:
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [r[0] for r in rows[1:]]


def numbers(response) -> list[str]:
    return [a.number for a in response.context["rows"]]


def filed(response) -> list[str]:
    """The kiosk's list (its page also lists the services to file for)."""
    return [a.number for a in response.context["recent"]]


def on_day(application: Application, day: str) -> None:
    """File `application` at noon IST on `day` (YYYY-MM-DD)."""
    moment = datetime.fromisoformat(day).replace(hour=12, tzinfo=IST)
    Application.objects.filter(pk=application.pk).update(submitted_at=moment)


@pytest.fixture
def three(submit, officer):
    """Sita's (sent back, 1 Nov), Gita's (submitted, 10 Nov), Mohan's (submitted, 20 Nov)."""
    sita = services.act(application=submit(), action="send_back", actor=officer, note="Blurred")
    gita = submit(data={"applicant_name": "Gita Kumari"})
    mohan = submit(data={"applicant_name": "Mohan Lal Saini"})
    for application, day in ((sita, "2026-11-01"), (gita, "2026-11-10"), (mohan, "2026-11-20")):
        on_day(application, day)
    return sita, gita, mohan


# --- the kiosk's list ---------------------------------------------------------------------


def test_the_operator_filters_the_applications_filed_at_the_kiosk(client_as, operator, three):
    sita, gita, mohan = three
    client = client_as(Role.OPERATOR, user=operator)
    assert filed(client.get("/applications/")) == [mohan.number, gita.number, sita.number]
    assert filed(client.get("/applications/?status=sent_back")) == [sita.number]
    assert filed(client.get(f"/applications/?number={gita.number.lower()}")) == [gita.number]
    assert filed(client.get("/applications/?number=saini")) == [mohan.number]
    assert filed(client.get("/applications/?from=2026-11-10&to=2026-11-10")) == [gita.number]
    assert filed(client.get("/applications/?from=2026-11-05")) == [mohan.number, gita.number]
    assert filed(client.get("/applications/?to=not-a-day")) == [
        mohan.number,
        gita.number,
        sita.number,
    ]
    empty = client.get("/applications/?number=nobody").content.decode()
    assert "No application matches." in empty
    export = client.get("/applications/?status=submitted&format=csv")
    assert csv_numbers(export) == [mohan.number, gita.number]


def test_the_kiosk_list_shows_only_this_operators_applications(client_as, make_user, jaipur, three):
    other = make_user(Role.OPERATOR, district=jaipur)
    client = client_as(Role.OPERATOR, user=other)
    assert filed(client.get("/applications/")) == []
    assert csv_numbers(client.get("/applications/?format=csv")) == []


# --- the department inbox -----------------------------------------------------------------


def test_the_inbox_searches_by_number_or_applicant_and_by_submission_days(
    client_as, officer, three
):
    sita, gita, mohan = three
    client = client_as(Role.DEPARTMENT_OFFICER, user=officer)
    assert numbers(client.get("/applications/inbox/?q=gita")) == [gita.number]
    assert numbers(client.get(f"/applications/inbox/?q={mohan.number}")) == [mohan.number]
    assert set(numbers(client.get("/applications/inbox/?from=2026-11-10"))) == {
        gita.number,
        mohan.number,
    }
    assert numbers(client.get("/applications/inbox/?to=2026-11-01")) == [sita.number]
    assert csv_numbers(client.get("/applications/inbox/?q=saini&format=csv")) == [mohan.number]


def test_the_inbox_pages_its_rows_and_the_csv_has_every_filtered_row(
    client_as, officer, three, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client = client_as(Role.DEPARTMENT_OFFICER, user=officer)
    first = client.get("/applications/inbox/?service=domicile-certificate")
    assert first.context["count"] == 3
    assert len(first.context["rows"]) == 2
    html = first.content.decode()
    assert 'href="?service=domicile-certificate&amp;page=2"' in html
    assert "format=csv" not in html.split('rel="next"')[0].rsplit("<nav", 1)[1]
    second = client.get("/applications/inbox/?service=domicile-certificate&page=2")
    assert len(second.context["rows"]) == 1
    seen = numbers(first) + numbers(second)
    assert sorted(seen) == sorted(a.number for a in three)
    assert client.get("/applications/inbox/?page=99").context["page"].number == 2
    assert sorted(csv_numbers(client.get("/applications/inbox/?format=csv&page=2"))) == sorted(
        a.number for a in three
    )


# --- the statewide list -------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.STATE_ADMIN, Role.AUDITOR])
def test_the_state_admin_and_auditor_read_every_application(client_as, role, three, ajmer):
    sita, gita, mohan = three
    Application.objects.filter(pk=mohan.pk).update(district=ajmer)
    client = client_as(role)
    page = client.get("/applications/statewide/")
    assert page.status_code == 200
    assert set(numbers(page)) == {sita.number, gita.number, mohan.number}
    html = page.content.decode()
    assert 'name="item"' not in html and 'name="action"' not in html  # nothing to act on
    assert 'href="/applications/statewide/"' in html  # the menu entry
    assert numbers(client.get("/applications/statewide/?district=ajmer")) == [mohan.number]
    assert numbers(client.get("/applications/statewide/?state=sent_back")) == [sita.number]
    assert numbers(client.get("/applications/statewide/?sla=citizen")) == [sita.number]
    assert numbers(client.get("/applications/statewide/?q=gita")) == [gita.number]
    export = client.get("/applications/statewide/?from=2026-11-10&format=csv")
    assert sorted(csv_numbers(export)) == sorted([gita.number, mohan.number])
    # A finished application is listed too (the inbox shows open ones only).
    Application.objects.filter(pk=gita.pk).update(state="rejected")
    assert gita.number in numbers(client.get("/applications/statewide/"))


@pytest.mark.parametrize(
    "role",
    [
        Role.OPERATOR,
        Role.CITIZEN,
        Role.DEPARTMENT_OFFICER,
        Role.DEPARTMENT_ADMIN,
        Role.DISTRICT_ADMIN,
        Role.LSP,
        Role.PARTNER,
    ],
)
def test_others_are_refused_the_statewide_list(client_as, role):
    client = client_as(role)
    assert client.get("/applications/statewide/").status_code == 403
    assert client.get("/applications/statewide/?format=csv").status_code == 403


def test_the_statewide_list_needs_a_login(client):
    response = client.get("/applications/statewide/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_statewide_list_renders_in_hindi(client_as, three):
    client = client_as(Role.AUDITOR)
    client.cookies["emitra_lang"] = "hi"
    page = client.get("/applications/statewide/")
    assert page.status_code == 200
    assert '<html lang="hi">' in page.content.decode()


def test_the_menu_offers_the_statewide_list_only_to_statewide_roles(client_as):
    for role, shown in ((Role.AUDITOR, True), (Role.DEPARTMENT_OFFICER, False)):
        client = client_as(role)
        menu = client.get("/certificates/verify/").context["menu"]
        assert ("/applications/statewide/" in [item.url for item in menu]) is shown, role
        client.logout()


def test_an_unknown_day_or_sla_filter_is_ignored(client_as, officer, three):
    client = client_as(Role.DEPARTMENT_OFFICER, user=officer)
    assert client.get("/applications/inbox/?sla=whenever&from=31-11-2026").context["count"] == 3
