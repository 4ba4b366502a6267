"""The kiosk journey over HTTP (enrol → verify → consent OTP → prefill → schemes), who may
open which page, and a scan that no full Aadhaar number leaves the system: not in a page, a
JSON answer, a log line or a stored row."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from emitra.accounts.roles import Role
from emitra.core.logging import JsonFormatter
from emitra.registry.models import AccessRecord, ChangeRequest, ConsentRequest, Family

from .conftest import aadhaar_number, queued_code

pytestmark = pytest.mark.django_db


def logged_in(user: Any) -> Client:
    from conftest import verify_totp

    client = Client()
    client.cookies["emitra_lang"] = "en"
    client.force_login(user)
    if user.needs_totp:
        verify_totp(client, user)
    return client


class Recorder:
    """Every response body and every formatted log line of the flow."""

    def __init__(self) -> None:
        self.bodies: list[str] = []
        self.stream = io.StringIO()

    def keep(self, response: Any) -> Any:
        if not getattr(response, "streaming", False):
            self.bodies.append(response.content.decode("utf-8", "replace"))
        return response


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    found = Recorder()
    handler = logging.StreamHandler(found.stream)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield found
    root.removeHandler(handler)
    root.setLevel(old_level)


def enrolment_form(geo: dict[str, Any], aadhaar: str, **changes: str) -> dict[str, str]:
    form = {
        "mobile": "9829055501",
        "district": "jaipur",
        "block": "900001",
        "gram_panchayat": "910001",
        "urban_body": "",
        "address": "Ward 4, near the temple",
        "pincode": "303301",
        "head-name_en": "Sita Devi",
        "head-name_hi": "सीता देवी",
        "head-relative_name_en": "Ram Prasad",
        "head-relative_name_hi": "राम प्रसाद",
        "head-gender": "female",
        "head-date_of_birth": "1958-03-14",
        "head-relation": "head",
        "head-category": "obc",
        "head-marital_status": "widowed",
        "head-occupation": "homemaker",
        "head-annual_income": "30,000",
        "head-disability_percent": "0",
        "head-aadhaar": f"{aadhaar[:4]} {aadhaar[4:8]} {aadhaar[8:]}",
        "head-bank_account": "33001234567890",
        "head-ifsc": "SBIN0001234",
    }
    form.update(changes)
    return form


def test_the_kiosk_journey_shows_no_full_aadhaar_anywhere(
    operator, verifier, geo, recorder, make_user
):
    number = aadhaar_number()
    desk = logged_in(operator)
    society = logged_in(verifier)
    keep = recorder.keep

    assert keep(desk.get("/registry/enrol/")).status_code == 200
    submitted = keep(desk.post("/registry/enrol/", enrolment_form(geo, number)))
    assert submitted.status_code == 302, submitted.content.decode()[:2000]
    change = ChangeRequest.objects.get()
    assert keep(desk.get(submitted["Location"])).status_code == 200
    page = keep(society.get(f"/registry/requests/{change.number}/")).content.decode()
    assert "XXXX XXXX " + number[-4:] in page and 'id="approve"' in page
    keep(society.get("/registry/requests/?format=csv"))
    assert keep(society.post(f"/registry/requests/{change.number}/approve/")).status_code == 302
    family = Family.objects.get()
    assert (
        family.family_id
        in keep(society.get(f"/registry/requests/{change.number}/")).content.decode()
    )

    asked = keep(
        desk.post("/registry/consent/", {"family_id": family.family_id, "purpose": "application"})
    )
    assert asked.status_code == 302
    wrong = keep(desk.post(asked["Location"], {"code": "000000"}))
    code = queued_code(family.mobile)
    if code != "000000":
        assert wrong.status_code == 422 and "The OTP is not correct." in wrong.content.decode()
    verified = keep(desk.post(asked["Location"], {"code": code}))
    assert verified.status_code == 302
    grant_url = verified["Location"]
    members = keep(desk.get(grant_url)).content.decode()
    head = family.members.get()
    assert head.member_id in members and "Fill from Jan Aadhaar" in members
    shown = keep(desk.get(f"{grant_url}prefill/", {"member": head.member_id})).content.decode()
    assert "Sita Devi" in shown and "1958-03-14" in shown and "XXXX XXXX " + number[-4:] in shown
    data = keep(desk.get(f"{grant_url}prefill/", {"format": "json"})).json()
    assert data["fields"]["applicant_name"] == "Sita Devi"
    assert data["fields"]["gram_panchayat"] == "910001"
    schemes = keep(desk.get(f"{grant_url}schemes/")).content.decode()
    assert 'data-scheme="old-age-pension"' in schemes and "Eligible because" in schemes
    assert "/services/old-age-pension/" in schemes

    citizen = logged_in(make_user(Role.CITIZEN, mobile=family.mobile, password=None))
    own = keep(citizen.get("/registry/my-family/")).content.decode()
    assert "Ramesh Kumar" in own
    assert set(AccessRecord.objects.values_list("what", flat=True)) == {
        "members",
        "prefill",
        "schemes",
    }

    spaced = re.compile(rf"{number[:4]}\D?{number[4:8]}\D?{number[8:]}")
    for body in recorder.bodies:
        assert not spaced.search(body)
    logs = recorder.stream.getvalue()
    assert not spaced.search(logs)
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            assert not spaced.search(repr(cursor.fetchall())), table


def test_a_bad_enrolment_form_is_refused_with_its_message_and_stores_nothing(operator, geo):
    desk = logged_in(operator)
    bad = aadhaar_number()
    bad = bad[:-1] + str((int(bad[-1]) + 1) % 10)

    response = desk.post("/registry/enrol/", enrolment_form(geo, bad))

    assert response.status_code == 422
    assert "not a valid Aadhaar number" in response.content.decode()
    assert bad[:4] + " " + bad[4:8] not in response.content.decode()  # not echoed back
    assert ChangeRequest.objects.count() == 0


def test_a_refused_form_does_not_echo_a_valid_aadhaar_or_bank_account(operator, geo):
    number = aadhaar_number()
    response = logged_in(operator).post(
        "/registry/enrol/", enrolment_form(geo, number, pincode="12")
    )
    body = response.content.decode()
    assert response.status_code == 422 and "6-digit PIN code" in body
    assert not re.search(rf"{number[:4]}\D?{number[4:8]}\D?{number[8:]}", body)
    assert "33001234567890" not in body
    assert "Sita Devi" in body  # the rest is kept for the operator


def test_a_gp_outside_the_district_is_refused_on_the_form(operator, geo):
    desk = logged_in(operator)
    response = desk.post(
        "/registry/enrol/",
        enrolment_form(geo, aadhaar_number(), district="ajmer", block="", gram_panchayat="910001"),
    )
    assert response.status_code == 422
    assert ChangeRequest.objects.count() == 0


@pytest.mark.parametrize(
    "role", [Role.CITIZEN, Role.LSP, Role.DISTRICT_ADMIN, Role.STATE_ADMIN, Role.AUDITOR]
)
def test_only_operators_enrol(client_as, role):
    assert client_as(role).get("/registry/enrol/").status_code == 403


@pytest.mark.parametrize("role", [Role.LSP, Role.DISTRICT_ADMIN, Role.STATE_ADMIN, Role.AUDITOR])
def test_only_operators_and_citizens_fetch_family_data(client_as, role):
    assert client_as(role).get("/registry/consent/").status_code == 403


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.CITIZEN, Role.STATE_ADMIN])
def test_only_the_district_society_approves(operator, geo, make_user, role):
    from emitra.registry import services

    from .conftest import family_input, member_input

    change = services.submit_enrolment(
        operator=operator, family=family_input(geo), members=[member_input()]
    )
    client = logged_in(operator if role == Role.OPERATOR else make_user(role))
    response = client.post(f"/registry/requests/{change.number}/approve/")
    assert response.status_code in (403, 404)
    assert Family.objects.count() == 0


def test_another_districts_society_does_not_see_the_request(operator, geo, make_user):
    from emitra.registry import services

    from .conftest import family_input, member_input

    change = services.submit_enrolment(
        operator=operator, family=family_input(geo), members=[member_input()]
    )
    ajmer = logged_in(make_user(Role.DISTRICT_ADMIN, district=geo["ajmer"]))
    assert ajmer.get(f"/registry/requests/{change.number}/").status_code == 404
    assert ajmer.post(f"/registry/requests/{change.number}/approve/").status_code == 404
    assert change.number not in ajmer.get("/registry/requests/").content.decode()
    other_operator = logged_in(make_user(Role.OPERATOR))
    assert other_operator.get(f"/registry/requests/{change.number}/").status_code == 404


def test_a_grant_is_the_requesting_operators_only_and_expires(operator, enrol, make_user):
    from django.utils import timezone

    from emitra.registry import services
    from emitra.registry.models import ConsentGrant

    family = enrol()
    asked = services.request_consent(
        requester=operator, family_id=family.family_id, purpose="schemes"
    )
    grant = services.verify_consent(
        requester=operator, consent=asked, code=queued_code(family.mobile)
    )
    other = logged_in(make_user(Role.OPERATOR))
    assert other.get(f"/registry/grants/{grant.token}/").status_code == 404
    assert other.get(f"/registry/grants/{grant.token}/prefill/?format=json").status_code == 404
    ConsentGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now())
    desk = logged_in(operator)
    assert desk.get(f"/registry/grants/{grant.token}/").status_code == 410
    expired = desk.get(f"/registry/grants/{grant.token}/prefill/?format=json")
    assert expired.status_code == 410 and expired.json()["error"] == "registry.consent_expired"
    assert AccessRecord.objects.count() == 0


def test_the_public_checker_needs_no_login_and_explains(client, geo):
    client.cookies["emitra_lang"] = "en"
    page = client.get("/registry/schemes/")
    assert page.status_code == 200
    answer = client.get(
        "/registry/schemes/",
        {
            "age": "67",
            "gender": "female",
            "category": "general",
            "income": "1,20,000",
            "marital_status": "widowed",
            "disability": "0",
            "relation": "head",
            "occupation": "homemaker",
        },
    ).content.decode()
    assert "Not eligible because family&#x27;s annual income ₹1,20,000 &gt; ₹48,000." in answer
    assert 'data-scheme="chiranjeevi"' in answer


def test_the_urban_body_picker_lists_the_districts_towns(client_as, geo):
    options = client_as(Role.OPERATOR).get("/registry/pickers/urban-body/", {"district": "jaipur"})
    assert "Jaipur Greater" in options.content.decode()


def test_an_application_form_gets_its_values_back_after_consent(operator, enrol, rf, make_user):
    """The wiring offered to the applications app: consent with `next`, back with the grant."""
    from django.template.loader import render_to_string

    from emitra.registry.prefill import initial_for

    family = enrol()
    desk = logged_in(operator)
    form_url = "/applications/apply/old-age-pension/?step=1"
    include = render_to_string(
        "registry/_fill_from_jan_aadhaar.html", {"next": form_url, "request": rf.get("/")}
    )
    assert "/registry/consent/?purpose=application&amp;next=" in include

    asked = desk.post(
        "/registry/consent/",
        {"family_id": family.family_id, "purpose": "application", "next": form_url},
    )
    back = desk.post(asked["Location"], {"code": queued_code(family.mobile)})

    assert back.status_code == 302
    assert back["Location"].startswith(form_url + "&jan_aadhaar_grant=")
    request = rf.get(back["Location"])
    request.user = operator
    values = initial_for(request)
    assert values["applicant_name"] == "Sita Devi" and values["jan_aadhaar"] == family.family_id
    request.user = make_user(Role.OPERATOR)  # another operator's form gets nothing
    assert initial_for(request) == {}


def test_a_citizen_on_the_portal_fills_a_form_after_the_familys_otp(enrol, rf, make_user):
    """The same consent, asked by a citizen: only to read (never to change the record)."""
    from emitra.registry.prefill import initial_for

    family = enrol()
    citizen = make_user(Role.CITIZEN, mobile="9829055511")
    me = logged_in(citizen)
    form_url = "/my/apply/old-age-pension/"
    refused = me.post("/registry/consent/", {"family_id": family.family_id, "purpose": "update"})
    assert refused.status_code == 422  # a citizen may not ask to change the record
    assert not ConsentRequest.objects.filter(family=family).exists()

    asked = me.post(
        "/registry/consent/",
        {"family_id": family.family_id, "purpose": "application", "next": form_url},
    )
    back = me.post(asked["Location"], {"code": queued_code(family.mobile)})

    assert back["Location"].startswith(form_url + "?jan_aadhaar_grant=")
    request = rf.get(back["Location"])
    request.user = citizen
    assert initial_for(request)["jan_aadhaar"] == family.family_id


def test_consent_never_sends_the_browser_off_site(operator, enrol):
    family = enrol()
    desk = logged_in(operator)
    asked = desk.post(
        "/registry/consent/",
        {"family_id": family.family_id, "purpose": "application", "next": "https://evil.example/"},
    )
    back = desk.post(asked["Location"], {"code": queued_code(family.mobile)})
    assert back["Location"].startswith("/registry/grants/")


def test_with_update_consent_an_operator_adds_and_changes_members(operator, verifier, enrol):
    from emitra.registry import services

    family = enrol()
    asked = services.request_consent(
        requester=operator, family_id=family.family_id, purpose="update"
    )
    grant = services.verify_consent(
        requester=operator, consent=asked, code=queued_code(family.mobile)
    )
    desk = logged_in(operator)
    son = {
        "name_en": "Mohan Lal",
        "name_hi": "मोहन लाल",
        "gender": "male",
        "date_of_birth": "1990-07-01",
        "relation": "son",
        "category": "obc",
        "marital_status": "married",
        "occupation": "farmer",
        "annual_income": "24,000",
        "disability_percent": "45",
    }
    without_aadhaar = desk.post(f"/registry/grants/{grant.token}/members/new/", son)
    assert without_aadhaar.status_code == 422
    assert "required for everyone aged 5 or more" in without_aadhaar.content.decode()
    added = desk.post(
        f"/registry/grants/{grant.token}/members/new/", {**son, "aadhaar": aadhaar_number()}
    )
    assert added.status_code == 302
    change = ChangeRequest.objects.get(kind="add_member")
    services.approve_change(verifier=verifier, change=change)
    assert family.members.count() == 2

    head = family.members.get(relation="head")
    page = desk.get(f"/registry/grants/{grant.token}/members/{head.member_id}/")
    assert page.status_code == 200 and "Sita Devi" in page.content.decode()
    edited = desk.post(
        f"/registry/grants/{grant.token}/members/{head.member_id}/",
        {
            **son,
            "name_en": "Sita Devi",
            "name_hi": "सीता देवी",
            "relation": "head",
            "gender": "female",
            "marital_status": "widowed",
            "date_of_birth": "1960-03-14",
        },
    )
    assert edited.status_code == 302
    assert ChangeRequest.objects.filter(kind="update_member", state="pending").count() == 1


def test_the_checker_reads_in_hindi_by_default(client, geo):
    page = client.get(
        "/registry/schemes/",
        {
            "age": "70",
            "gender": "male",
            "category": "sc",
            "income": "20000",
            "marital_status": "married",
            "relation": "head",
            "occupation": "farmer",
        },
    ).content.decode()
    assert '<html lang="hi">' in page
    assert "मुख्यमंत्री वृद्धजन सम्मान पेंशन" in page
    assert "₹20,000 ≤ ₹48,000" in page
