"""The pages: who may open them, what each role sees, the CSV downloads, and the booking form."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from emitra.accounts.roles import Role
from emitra.home_visits import services
from emitra.home_visits.models import Visit, VisitState
from emitra.home_visits.tests import factories as f
from emitra.kiosks.tests import factories as kiosks

pytestmark = pytest.mark.django_db

PAGES = {
    "/home-visits/": {Role.CITIZEN},
    "/home-visits/book/": {Role.CITIZEN, Role.OPERATOR},
    "/home-visits/today/": {Role.OPERATOR},
    "/home-visits/district/": {Role.DISTRICT_ADMIN, Role.STATE_ADMIN, Role.AUDITOR},
}


@pytest.fixture(autouse=True)
def _english_pages(client: Any) -> None:
    """Pages start in Hindi; these tests read the English msgids."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def world() -> dict[str, Any]:
    jaipur = f.district()
    kiosk = f.kiosk(jaipur)
    citizen = f.citizen(jaipur, full_name="Sita Devi")
    visit = f.book(citizen, jaipur, f.home_service())
    return {"district": jaipur, "kiosk": kiosk, "citizen": citizen, "visit": visit}


@pytest.mark.parametrize("url", list(PAGES))
@pytest.mark.parametrize("role", list(Role))
def test_each_page_opens_only_for_its_roles(client_as, url, role):
    f.district()
    client = client_as(role)
    response = client.get(url)
    assert response.status_code == (200 if role in PAGES[url] else 403)


def test_pages_send_anonymous_visitors_to_log_in(client, world):
    for url in [*PAGES, f"/home-visits/{world['visit'].number}/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_a_citizen_books_through_the_form(client, world):
    client.force_login(world["citizen"])
    day = f.tomorrow().isoformat()
    response = client.post(
        "/home-visits/book/",
        {
            "district": "jaipur",
            "address": "4, Shanti Nagar",
            "pin": "302001",
            "service": "domicile-home",
            "day": day,
            "slot": "12-14",
            "priority_group": "senior",
        },
    )
    visit = Visit.objects.exclude(pk=world["visit"].pk).get()
    assert response.status_code == 302
    assert response["Location"] == f"/home-visits/{visit.number}/"
    assert visit.charge == 0 and visit.kiosk == world["kiosk"]
    page = client.get(response["Location"]).content.decode()
    assert "waived" in page and visit.number in page


def test_the_form_shows_the_places_of_the_chosen_district_without_booking(client, world):
    gp = f.gram_panchayat(world["district"])
    client.force_login(world["citizen"])
    response = client.post("/home-visits/book/", {"district": "jaipur", "show_places": "1"})
    assert response.status_code == 200
    assert f'value="{gp.pk}"' in response.content.decode()
    assert Visit.objects.count() == 1


def test_booking_in_a_district_without_operators_shows_the_reason(client, world):
    f.district("barmer")
    client.force_login(world["citizen"])
    response = client.post(
        "/home-visits/book/",
        {
            "district": "barmer",
            "address": "Ward 3",
            "pin": "344001",
            "service": "domicile-home",
            "day": f.tomorrow().isoformat(),
            "slot": "10-12",
        },
    )
    assert response.status_code == 400
    assert "No e-Mitra operator makes home visits in Barmer" in response.content.decode()
    assert Visit.objects.count() == 1


def test_the_citizen_sees_only_their_own_bookings(client, world):
    stranger = f.citizen(world["district"])
    client.force_login(stranger)
    assert world["visit"].number not in client.get("/home-visits/").content.decode()
    assert client.get(f"/home-visits/{world['visit'].number}/").status_code == 404
    response = client.post(f"/home-visits/{world['visit'].number}/act/", {"action": "cancel"})
    assert response.status_code == 404
    assert Visit.objects.get(pk=world["visit"].pk).state == VisitState.ASSIGNED
    client.force_login(world["citizen"])
    assert world["visit"].number in client.get("/home-visits/").content.decode()


def test_the_citizen_cancels_from_the_page(client, world):
    client.force_login(world["citizen"])
    number = world["visit"].number
    response = client.post(f"/home-visits/{number}/act/", {"action": "cancel"})
    assert response.status_code == 302
    assert Visit.objects.get(number=number).state == VisitState.CANCELLED


def test_a_refused_act_shows_why_and_changes_nothing(client, world):
    client.force_login(world["kiosk"].operator)
    number = world["visit"].number
    response = client.post(f"/home-visits/{number}/act/", {"action": "complete"})
    assert response.status_code == 409
    assert "cannot be done now" in response.content.decode()
    assert Visit.objects.get(number=number).state == VisitState.ASSIGNED


def test_the_operators_day_lists_their_visits_and_downloads_csv(client, world):
    operator = world["kiosk"].operator
    client.force_login(operator)
    day = f.tomorrow().isoformat()
    page = client.get(f"/home-visits/today/?day={day}").content.decode()
    assert world["visit"].number in page
    assert world["citizen"].mobile not in page  # masked in lists
    assert world["visit"].number not in client.get("/home-visits/today/").content.decode()
    assert world["visit"].number in client.get("/home-visits/today/?upcoming=1").content.decode()
    csv = client.get(f"/home-visits/today/?day={day}&format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode("utf-8-sig")
    assert body.startswith("number,day,slot,state")
    assert world["visit"].number in body and world["citizen"].mobile not in body
    # Another operator's list does not show it, nor does the detail open for them.
    client.force_login(f.kiosk(world["district"]).operator)
    assert (
        world["visit"].number not in client.get(f"/home-visits/today/?day={day}").content.decode()
    )
    assert client.get(f"/home-visits/{world['visit'].number}/").status_code == 404


def test_the_assigned_operator_walks_the_visit_through_the_page(client, world):
    client.force_login(world["kiosk"].operator)
    number = world["visit"].number
    page = client.get(f"/home-visits/{number}/").content.decode()
    assert world["citizen"].mobile in page  # the assigned operator may phone the citizen
    client.post(f"/home-visits/{number}/act/", {"action": "visit"})
    client.post(f"/home-visits/{number}/act/", {"action": "complete"})
    assert Visit.objects.get(number=number).state == VisitState.COMPLETED


def test_the_district_list_is_scoped_filtered_and_exported(client_as, world):
    client = client_as(Role.DISTRICT_ADMIN, district=world["district"])
    page = client.get("/home-visits/district/").content.decode()
    assert world["visit"].number in page
    filtered = client.get("/home-visits/district/?state=completed").content.decode()
    assert world["visit"].number not in filtered
    body = client.get("/home-visits/district/?format=csv").content.decode("utf-8-sig")
    assert world["visit"].number in body
    number = world["visit"].number
    response = client.post(
        f"/home-visits/{number}/act/", {"action": "cancel", "reason": "Duplicate"}
    )
    assert response.status_code == 302
    assert Visit.objects.get(number=number).reason == "Duplicate"


def test_another_districts_society_sees_nothing(client, world):
    outsider = kiosks.user("district_admin", f.district("ajmer"))
    from conftest import verify_totp

    client.force_login(outsider)
    verify_totp(client, outsider)
    assert world["visit"].number not in client.get("/home-visits/district/").content.decode()
    assert client.get(f"/home-visits/{world['visit'].number}/").status_code == 404


def test_the_state_sees_every_district_but_cannot_act(client_as, world):
    client = client_as(Role.STATE_ADMIN)
    assert world["visit"].number in client.get("/home-visits/district/").content.decode()
    number = world["visit"].number
    response = client.post(f"/home-visits/{number}/act/", {"action": "cancel", "reason": "x"})
    assert response.status_code == 403
    services.mark_visited(actor=world["kiosk"].operator, visit=world["visit"])
