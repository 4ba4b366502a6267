"""Who may drive a machine (its device token only), the bridge, heartbeats, the idle wipe,
and the admins' list of machines with the offline ones."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from emitra.accounts.roles import Role
from emitra.geo.models import District
from emitra.kiosks.models import Kiosk
from emitra.machines import access, conf, errors, services
from emitra.machines.devices import devices_for
from emitra.machines.models import CashPayment, CashState, Machine

from .conftest import plus_kiosk, run_outbox

pytestmark = pytest.mark.django_db

OK = "210512345670"


def machine_client(token: str) -> Client:
    client = Client()
    client.cookies[access.COOKIE] = token
    return client


def post_json(client: Client, url: str, data: dict[str, object] | None = None) -> Any:
    return client.post(url, json.dumps(data or {}), content_type="application/json")


# --- access ---------------------------------------------------------------------------------


def test_every_machine_view_declares_its_access():
    for url in (
        "/machine/",
        "/machine/bills/",
        "/machine/api/heartbeat",
        "/machine/api/idle",
        "/machine/api/card/charge",
    ):
        assert resolve(url).func.access["roles"] == "machine"  # type: ignore[attr-defined]
    assert resolve("/machine/pair/").func.access["public"] is True  # type: ignore[attr-defined]


def test_without_a_device_token_the_screen_sends_to_pairing_and_the_api_refuses(client, machine):
    assert client.get("/machine/")["Location"] == "/machine/pair/"
    assert client.post("/machine/api/heartbeat").status_code == 401
    assert machine_client("not-the-token").post("/machine/api/heartbeat").status_code == 401
    machine.refresh_from_db()
    assert machine.last_seen_at is None


def test_a_person_logged_in_is_refused_even_with_a_machine_token(client_as, machine_and_token):
    _machine, token = machine_and_token
    for role in (Role.STATE_ADMIN, Role.OPERATOR, Role.CITIZEN):
        client = client_as(role)
        client.cookies[access.COOKIE] = token
        assert client.get("/machine/").status_code == 403
        assert client.post("/machine/api/heartbeat").status_code == 403
        assert client.post("/machine/api/card/charge").status_code == 403


def test_the_card_bridge_needs_the_device_token(client, machine):
    assert client.post("/machine/api/card/charge").status_code == 401
    assert machine_client("not-the-token").post("/machine/api/card/charge").status_code == 401


def test_pairing_with_the_token_sets_an_httponly_cookie(client, machine_and_token):
    _machine, token = machine_and_token
    bad = client.post("/machine/pair/", {"token": "wrong"})
    assert bad.status_code == 400

    response = client.post("/machine/pair/", {"token": token})
    assert response["Location"] == "/machine/"
    cookie = response.cookies[access.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    page = client.get("/machine/")
    assert page.status_code == 200
    assert 'lang="hi"' in page.content.decode()  # Hindi first
    assert "script" not in page.content.decode().split("<body", 1)[1].split("</main>")[0]


def test_only_the_token_hash_is_kept(machine_and_token):
    machine, token = machine_and_token
    assert token not in machine.token_hash
    assert machine.token_hash == services.hash_token(token)


def test_a_new_token_stops_the_old_one(machine_and_token):
    machine, old = machine_and_token
    _same, new = services.register_machine(actor=None, kiosk=machine.kiosk)
    assert services.machine_for_token(old) is None
    assert services.machine_for_token(new) == machine


def test_an_assisted_kiosk_cannot_be_a_machine(make_user):
    from conftest import give_kiosk

    kiosk = give_kiosk(make_user(Role.OPERATOR))
    with pytest.raises(errors.NotAMachineKiosk):
        services.register_machine(actor=None, kiosk=kiosk)
    assert not Machine.objects.exists()


# --- heartbeat ------------------------------------------------------------------------------


def test_a_heartbeat_with_the_token_header_records_last_seen_and_device_states(machine_and_token):
    machine, token = machine_and_token
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/machine/api/heartbeat",
        json.dumps({"devices": {"screen": "ok"}}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {token}",
    )
    assert response.status_code == 200
    machine.refresh_from_db()
    assert machine.last_seen_at is not None
    assert machine.device_states == {"cash": "ok", "card": "ok", "printer": "ok", "screen": "ok"}


def test_a_heartbeat_by_cookie_needs_the_csrf_token(machine_and_token):
    _machine, token = machine_and_token
    client = Client(enforce_csrf_checks=True)
    client.cookies[access.COOKIE] = token
    assert client.post("/machine/api/heartbeat").status_code == 403


# --- the admins' list -----------------------------------------------------------------------


@pytest.fixture
def two_machines(make_user, catalog):
    online, _ = services.register_machine(actor=None, kiosk=plus_kiosk(make_user))
    offline, _ = services.register_machine(actor=None, kiosk=plus_kiosk(make_user))
    Machine.objects.filter(pk=online.pk).update(last_seen_at=timezone.now())
    Machine.objects.filter(pk=offline.pk).update(last_seen_at=timezone.now() - timedelta(minutes=4))
    return online, offline


def test_the_state_admin_sees_which_machines_are_offline_filters_and_downloads_csv(
    client_as, two_machines
):
    online, offline = two_machines
    client = client_as(Role.STATE_ADMIN)

    page = client.get("/machines/").content.decode()
    assert f'data-machine="{online.code}" data-offline="no"' in page
    assert f'data-machine="{offline.code}" data-offline="yes"' in page
    only_offline = client.get("/machines/?status=offline").content.decode()
    assert offline.code in only_offline and online.code not in only_offline

    response = client.get("/machines/?status=offline&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["code", "name", "district", "last_seen", "offline"]
    assert [(r[0], r[4]) for r in rows[1:]] == [(offline.code, "yes")]


def test_a_district_admin_sees_only_their_district(client_as, two_machines):
    online, _offline = two_machines
    other = District.objects.create(slug="ajmer", name_en="Ajmer", name_hi="अजमेर")
    Kiosk.objects.filter(pk=online.kiosk_id).update(district=other)
    jaipur = District.objects.get(slug="jaipur")

    page = client_as(Role.DISTRICT_ADMIN, district=jaipur).get("/machines/").content.decode()
    assert online.code not in page
    assert _offline.code in page


def test_people_other_than_admins_are_refused_the_machine_list(client_as, two_machines):
    for role in (Role.OPERATOR, Role.CITIZEN, Role.LSP):
        assert client_as(role).get("/machines/").status_code == 403


def test_an_admin_issues_a_device_token_shown_once(client_as, make_user, catalog):
    kiosk = plus_kiosk(make_user)
    client = client_as(Role.STATE_ADMIN)
    response = client.post("/machines/token/", {"kiosk": kiosk.code})
    assert response.status_code == 200
    token = response.context["token"]
    found = services.machine_for_token(token)
    assert found is not None and found.kiosk == kiosk


# --- the bridge and the idle wipe -----------------------------------------------------------


@pytest.mark.simulators
def test_the_bridge_takes_cash_and_pays(biller, machine_and_token, jvvnl):
    _machine, token = machine_and_token
    client = machine_client(token)
    response = client.post("/machine/bills/jvvnl/", {"consumer": OK})
    assert response["Location"] == "/machine/pay/"
    cash = CashPayment.objects.get()
    assert client.get("/machine/pay/").status_code == 200

    refused = post_json(client, "/machine/api/cash/insert", {"note": 2000})
    assert refused.status_code == 400 and refused.json()["code"] == "machines.note_rejected"
    enough = False
    while not enough:
        answer = post_json(client, "/machine/api/cash/insert", {"note": 500}).json()
        enough = answer["enough"]
    state = post_json(client, "/machine/api/cash/confirm").json()
    assert state["state"] == CashState.PAYING
    assert state["receipt"].startswith("BPR-")
    run_outbox()
    state = client.get("/machine/api/payment").json()
    assert state["state"] == CashState.PAID and state["printed"] is True
    cash.refresh_from_db()
    assert cash.printed_at is not None


@pytest.mark.simulators
def test_after_the_idle_timeout_the_server_session_is_wiped_and_escrow_returned(
    biller, machine_and_token, jvvnl
):
    machine, token = machine_and_token
    client = machine_client(token)
    client.post("/machine/bills/jvvnl/", {"consumer": OK})
    post_json(client, "/machine/api/cash/insert", {"note": 500})
    old_key = client.session.session_key or ""
    session = SessionStore(session_key=old_key)
    session[access.SEEN] = time.time() - conf.idle_seconds() - 1
    session.save()

    page = client.get("/machine/pay/")

    assert page["Location"] == "/machine/"  # nothing of the citizen's bill is shown
    assert not SessionStore().exists(old_key)
    assert access.CASH not in client.session
    cash = CashPayment.objects.get()
    assert cash.state == CashState.RETURNED
    assert devices_for(machine.code).cash.escrow() == 0


@pytest.mark.simulators
def test_the_idle_endpoint_forgets_the_citizen(biller, machine_and_token, jvvnl):
    _machine, token = machine_and_token
    client = machine_client(token)
    client.post("/machine/bills/jvvnl/", {"consumer": OK})
    old_key = client.session.session_key or ""

    assert post_json(client, "/machine/api/idle").json() == {"ok": True}
    assert not SessionStore().exists(old_key)
    assert client.get("/machine/pay/")["Location"] == "/machine/"


def test_the_language_toggle_lives_in_the_citizen_session(machine_and_token):
    _machine, token = machine_and_token
    client = machine_client(token)
    client.post("/machine/language/", {"language": "en", "next": "/machine/"})
    assert 'lang="en"' in client.get("/machine/").content.decode()
    post_json(client, "/machine/api/idle")
    assert 'lang="hi"' in client.get("/machine/").content.decode()


def test_a_district_admin_cannot_issue_a_token_for_another_districts_machine(
    client_as, make_user, catalog
):
    kiosk = plus_kiosk(make_user)  # in Jaipur
    ajmer = District.objects.create(slug="ajmer", name_en="Ajmer", name_hi="अजमेर")
    client = client_as(Role.DISTRICT_ADMIN, district=ajmer)

    assert kiosk.code not in client.get("/machines/token/").content.decode()
    assert client.post("/machines/token/", {"kiosk": kiosk.code}).status_code == 404
    assert not Machine.objects.exists()


@pytest.mark.simulators
def test_the_bridge_charges_a_card_once_however_often_it_is_asked(biller, machine_and_token, jvvnl):
    machine, token = machine_and_token
    client = machine_client(token)
    client.post("/machine/language/", {"language": "en"})  # read the messages in English
    client.post("/machine/bills/jvvnl/", {"consumer": OK})
    devices = devices_for(machine.code)
    devices.card.inject_fault("decline")

    declined = post_json(client, "/machine/api/card/charge")
    assert declined.status_code == 409
    assert declined.json()["code"] == "machines.card_declined"
    assert declined.json()["state"] == CashState.COLLECTING
    assert "nothing was charged" in declined.json()["message"]
    assert "did not go through" in client.get("/machine/pay/").content.decode()

    first = post_json(client, "/machine/api/card/charge").json()
    again = post_json(client, "/machine/api/card/charge").json()  # a double tap

    assert first["ok"] and first["method"] == "card" and first["state"] == CashState.PAYING
    assert again["state"] == CashState.PAYING and again["receipt"] == first["receipt"]
    cash = CashPayment.objects.get()
    assert devices.card.charged_total() == cash.total == cash.charged
    run_outbox()
    state = client.get("/machine/api/payment").json()
    assert state["state"] == CashState.PAID and state["printed"] is True


@pytest.mark.simulators
def test_the_pay_screen_offers_cash_or_card(biller, machine_and_token, jvvnl):
    _machine, token = machine_and_token
    client = machine_client(token)
    client.post("/machine/bills/jvvnl/", {"consumer": OK})
    page = client.get("/machine/pay/").content.decode()
    assert 'id="method-cash"' in page and 'id="method-card"' in page
    assert 'data-charge="/machine/api/card/charge"' in page
    assert 'id="method-card" data-method="card" aria-pressed="false">' in page

    post_json(client, "/machine/api/cash/insert", {"note": 100})
    page = client.get("/machine/pay/").content.decode()
    assert 'aria-pressed="false" disabled>' in page  # notes in: finish in cash
