"""The requests list's filters and CSV, and the family's own access log and history as CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from emitra.accounts.roles import Role
from emitra.registry import selectors, services
from emitra.registry.models import ChangeRequest

from .conftest import aadhaar_number, family_input, member_input, queued_code
from .test_pages import logged_in

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")


def csv_rows(response: Any) -> list[dict[str, str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def submitted_on(change: ChangeRequest, day: str) -> None:
    at = datetime.fromisoformat(f"{day}T10:30").replace(tzinfo=IST)
    ChangeRequest.objects.filter(pk=change.pk).update(submitted_at=at)


@pytest.fixture
def requests(operator, verifier, make_user, geo, enrol) -> dict[str, Any]:
    """Jaipur: an approved enrolment (op 1), an add-member (op 1) and an enrolment (op 2);
    Ajmer: an enrolment (op 1)."""
    second_operator = make_user(Role.OPERATOR, full_name="Sunita Joshi", district=geo["jaipur"])
    family = enrol()
    enrolled = ChangeRequest.objects.get(family=family, kind="enrol")
    added = services.submit_new_member(
        operator=operator,
        family=family,
        member=member_input(name_en="Mohan Lal", name_hi="मोहन लाल", gender="male", relation="son"),
    )
    by_second = services.submit_enrolment(
        operator=second_operator, family=family_input(geo), members=[member_input()]
    )
    ajmer = services.submit_enrolment(
        operator=operator,
        family=family_input(geo, district=geo["ajmer"], block=None, gram_panchayat=geo["ajmer_gp"]),
        members=[member_input()],
    )
    submitted_on(enrolled, "2026-04-01")
    submitted_on(added, "2026-04-10")
    submitted_on(by_second, "2026-04-20")
    submitted_on(ajmer, "2026-04-10")
    return {
        "enrolled": enrolled.number,
        "added": added.number,
        "by_second": by_second.number,
        "ajmer": ajmer.number,
        "second_operator": second_operator,
    }


def numbers(client: Any, **query: str) -> set[str]:
    rows = csv_rows(client.get("/registry/requests/", {**query, "format": "csv"}))
    return {row["number"] for row in rows}


def test_the_society_filters_its_districts_requests_and_the_csv_follows(
    requests, verifier, operator
):
    society = logged_in(verifier)
    jaipur = {requests["enrolled"], requests["added"], requests["by_second"]}

    assert numbers(society) == jaipur  # never Ajmer's
    assert numbers(society, state="pending") == {requests["added"], requests["by_second"]}
    assert numbers(society, kind="add_member") == {requests["added"]}
    assert numbers(society, submitted_by=requests["second_operator"].username) == {
        requests["by_second"]
    }
    assert numbers(society, submitted_from="2026-04-05", submitted_to="2026-04-15") == {
        requests["added"]
    }
    assert numbers(society, submitted_from="2026-04-10") == {
        requests["added"],
        requests["by_second"],
    }
    assert numbers(society, district="jaipur", kind="enrol", state="approved") == {
        requests["enrolled"]
    }

    [row] = csv_rows(society.get("/registry/requests/", {"kind": "add_member", "format": "csv"}))
    assert row == {
        "number": requests["added"],
        "kind": "add_member",
        "state": "pending",
        "district": "Jaipur",
        "family_id": ChangeRequest.objects.get(number=requests["added"]).summary["family_id"],
        "submitted_by": operator.username,
        "submitted_at": "2026-04-10 10:30:00",
        "decided_at": "",
    }


def test_the_page_keeps_the_filters_in_its_csv_link(requests, verifier):
    page = logged_in(verifier).get("/registry/requests/", {"kind": "enrol", "state": "pending"})
    html = page.content.decode()
    assert page.status_code == 200
    assert requests["by_second"] in html and requests["added"] not in html
    assert "kind=enrol&amp;state=pending&amp;format=csv" in html


def test_an_operator_filters_their_own_requests_by_district(requests, operator):
    desk = logged_in(operator)
    assert numbers(desk) == {requests["enrolled"], requests["added"], requests["ajmer"]}
    assert numbers(desk, district="ajmer") == {requests["ajmer"]}
    # Someone else's name is not a choice: the filter is refused, nothing is listed.
    refused = desk.get("/registry/requests/", {"submitted_by": "op.someone-else"})
    assert refused.status_code == 400
    assert requests["enrolled"] not in refused.content.decode()


def test_a_bad_date_range_is_refused_with_a_message(requests, verifier):
    page = logged_in(verifier).get(
        "/registry/requests/", {"submitted_from": "2026-04-20", "submitted_to": "2026-04-01"}
    )
    assert page.status_code == 400
    assert "The first day comes after the last day." in page.content.decode()


def test_the_filter_choices_are_what_the_user_may_see(requests, verifier, operator):
    districts, submitters = selectors.change_filter_options(verifier)
    assert [slug for slug, _ in districts] == ["jaipur"]
    assert {name for name, _ in submitters} == {
        operator.username,
        requests["second_operator"].username,
    }


# --- the family's own CSVs -----------------------------------------------------------------------


@pytest.fixture
def read_family(enrol, operator) -> Any:
    family = enrol(member_input(aadhaar=aadhaar_number()))
    asked = services.request_consent(
        requester=operator, family_id=family.family_id, purpose="application"
    )
    grant = services.verify_consent(
        requester=operator, consent=asked, code=queued_code(family.mobile)
    )
    selectors.prefill_for(grant)
    selectors.family_schemes(grant)
    return family


def test_the_family_downloads_who_read_its_data(read_family, make_user):
    citizen = logged_in(make_user(Role.CITIZEN, mobile=read_family.mobile, password=None))
    page = citizen.get("/registry/my-family/").content.decode()
    assert f"/registry/my-family/{read_family.family_id}/access-log.csv" in page

    rows = csv_rows(citizen.get(f"/registry/my-family/{read_family.family_id}/access-log.csv"))
    head = read_family.members.get().member_id
    assert [(r["Who"], r["Purpose"], r["What"], r["Member ID"]) for r in rows] == [
        ("Ramesh Kumar", "Fill an application form", "Schemes the members may be eligible for", ""),
        (
            "Ramesh Kumar",
            "Fill an application form",
            "A member's details for an application form",
            head,
        ),
    ]
    assert all(len(r["When (IST)"]) == 19 for r in rows)


def test_the_family_downloads_the_changes_to_its_record(read_family, make_user):
    citizen = logged_in(make_user(Role.CITIZEN, mobile=read_family.mobile, password=None))
    rows = csv_rows(citizen.get(f"/registry/my-family/{read_family.family_id}/changes.csv"))
    number = ChangeRequest.objects.get(family=read_family).number
    assert {(r["Request number"], r["Kind"]) for r in rows} == {(number, "New family")}
    assert len(rows) == 2  # the family, and its head


def test_only_the_family_itself_downloads_its_csvs(read_family, make_user, client_as):
    url = f"/registry/my-family/{read_family.family_id}/access-log.csv"
    stranger = logged_in(make_user(Role.CITIZEN, mobile="9829099999", password=None))
    assert stranger.get(url).status_code == 404
    assert stranger.get(url.replace("access-log", "changes")).status_code == 404
    assert client_as(Role.OPERATOR).get(url).status_code == 403


def test_a_name_starting_like_a_formula_is_text_in_the_csv(enrol, make_user, geo):
    family = enrol()
    odd = make_user(Role.OPERATOR, full_name="=HYPERLINK(1)", district=geo["jaipur"])
    asked = services.request_consent(requester=odd, family_id=family.family_id, purpose="schemes")
    grant = services.verify_consent(requester=odd, consent=asked, code=queued_code(family.mobile))
    selectors.family_schemes(grant)
    citizen = logged_in(make_user(Role.CITIZEN, mobile=family.mobile, password=None))
    rows = csv_rows(citizen.get(f"/registry/my-family/{family.family_id}/access-log.csv"))
    assert [r["Who"] for r in rows] == ["'=HYPERLINK(1)"]
