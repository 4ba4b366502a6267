"""Registering LSPs: the state anywhere, a district society in its own district, nobody else;
a login registered twice or a name taken in the district is refused clearly; the list page
filters and exports; the command line does the same as the page."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from emitra.accounts.roles import Role
from emitra.core.models import AuditEntry
from emitra.kiosks import services
from emitra.kiosks.errors import (
    LSPAlreadyRegistered,
    LSPNameTaken,
    NameRequired,
    NotAnLSPLogin,
    OutOfScope,
    WrongRole,
)
from emitra.kiosks.models import LSP, KioskStatus
from emitra.kiosks.tests import factories

pytestmark = pytest.mark.django_db

REGISTRARS = (Role.STATE_ADMIN, Role.DISTRICT_ADMIN)


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def state(jaipur):
    return factories.user(Role.STATE_ADMIN)


@pytest.fixture
def login(ajmer):
    """An organisation's login, not yet registered as an LSP."""
    return factories.user(Role.LSP, ajmer, username="lsp.ajmer", mobile="9600000555")


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- the service ---------------------------------------------------------------------------------


def test_the_state_registers_an_lsp_in_any_district_with_an_audit_row(state, login, ajmer):
    lsp = services.register_lsp(actor=state, user=login, name="  Ajmer   Digital ", district=ajmer)

    assert (lsp.user, lsp.name, lsp.district) == (login, "Ajmer Digital", ajmer)
    entry = AuditEntry.objects.get(action="kiosks.lsp_registered", object_id=str(lsp.pk))
    assert entry.actor_id == state.pk


def test_a_district_society_registers_only_in_its_own_district(society, login, jaipur, ajmer):
    with pytest.raises(OutOfScope):
        services.register_lsp(actor=society, user=login, name="Ajmer Digital", district=ajmer)
    assert not LSP.objects.filter(user=login).exists()

    lsp = services.register_lsp(actor=society, user=login, name="Jaipur Digital", district=jaipur)
    assert lsp.district == jaipur


@pytest.mark.parametrize("role", [r for r in Role.values if r not in REGISTRARS])
def test_other_roles_may_not_register_an_lsp(role, login, ajmer):
    actor = factories.user(role, ajmer)

    with pytest.raises(WrongRole):
        services.register_lsp(actor=actor, user=login, name="Ajmer Digital", district=ajmer)

    assert not LSP.objects.filter(user=login).exists()


def test_a_login_registered_twice_is_refused_clearly(state, login, ajmer, jaipur):
    services.register_lsp(actor=state, user=login, name="Ajmer Digital", district=ajmer)

    with pytest.raises(LSPAlreadyRegistered) as refused:
        services.register_lsp(actor=state, user=login, name="Another", district=jaipur)

    assert "already registered as the LSP “Ajmer Digital”" in str(refused.value.message)
    assert LSP.objects.get(user=login).name == "Ajmer Digital"
    again = services.register_lsp(
        actor=None, user=login, name="Another", district=jaipur, existing_ok=True
    )
    assert again.name == "Ajmer Digital"


def test_a_name_taken_in_the_district_is_refused(state, login, ajmer):
    services.register_lsp(
        actor=state, user=factories.user(Role.LSP, ajmer), name="Ajmer Digital", district=ajmer
    )

    with pytest.raises(LSPNameTaken):
        services.register_lsp(actor=state, user=login, name="ajmer digital", district=ajmer)
    assert not LSP.objects.filter(user=login).exists()


def test_a_login_that_is_not_an_lsp_or_an_empty_name_is_refused(state, ajmer, login):
    operator = factories.user(Role.OPERATOR, ajmer, username="op.someone")
    with pytest.raises(NotAnLSPLogin):
        services.find_lsp_login("op.someone")
    with pytest.raises(NotAnLSPLogin):
        services.register_lsp(actor=state, user=operator, name="x", district=ajmer)
    with pytest.raises(NameRequired):
        services.register_lsp(actor=state, user=login, name="   ", district=ajmer)
    assert services.find_lsp_login("9600000555") == login
    assert not LSP.objects.exists()


# --- the pages -----------------------------------------------------------------------------------


def test_the_state_registers_an_lsp_with_the_form(client_as, state, login, ajmer):
    client = client_as(state.role, user=state)
    assert client.get("/kiosks/lsps/new/").status_code == 200

    response = client.post(
        "/kiosks/lsps/new/", {"login": "LSP.Ajmer", "name": "Ajmer Digital", "district": ajmer.pk}
    )

    assert response.status_code == 302
    assert response["Location"] == "/kiosks/lsps/"
    assert LSP.objects.get(user=login).district == ajmer
    assert "Ajmer Digital" in client.get("/kiosks/lsps/").content.decode()


def test_a_duplicate_in_the_form_is_refused_with_a_message(client_as, state, login, ajmer):
    services.register_lsp(actor=state, user=login, name="Ajmer Digital", district=ajmer)
    client = client_as(state.role, user=state)

    response = client.post(
        "/kiosks/lsps/new/", {"login": "lsp.ajmer", "name": "Other", "district": ajmer.pk}
    )

    assert response.status_code == 409
    assert "already registered as the LSP" in response.content.decode()
    assert LSP.objects.count() == 1


def test_an_unknown_login_in_the_form_is_refused_with_a_message(client_as, state, ajmer):
    client = client_as(state.role, user=state)

    response = client.post(
        "/kiosks/lsps/new/", {"login": "nobody", "name": "Other", "district": ajmer.pk}
    )

    assert response.status_code == 400
    assert "Create the organisation&#x27;s login first" in response.content.decode()
    assert not LSP.objects.exists()


def test_a_district_society_can_pick_only_its_own_district(client_as, society, login, ajmer):
    client = client_as(society.role, user=society)
    page = client.get("/kiosks/lsps/new/").content.decode()
    assert f'value="{ajmer.pk}"' not in page

    response = client.post(
        "/kiosks/lsps/new/", {"login": "lsp.ajmer", "name": "Ajmer Digital", "district": ajmer.pk}
    )

    assert response.status_code == 422
    assert not LSP.objects.exists()


def test_the_lsp_list_is_scoped_filters_and_exports(client_as, state, society, lsp, ajmer, login):
    other = services.register_lsp(actor=state, user=login, name="Ajmer Digital", district=ajmer)
    factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society)
    factories.kiosk(lsp)

    statewide = client_as(state.role, user=state)
    everyone = csv_rows(statewide.get("/kiosks/lsps/", {"format": "csv"}))
    only_ajmer = statewide.get("/kiosks/lsps/", {"district": "ajmer"}).content.decode()
    by_name = csv_rows(statewide.get("/kiosks/lsps/", {"q": "ajmer", "format": "csv"}))
    district = csv_rows(client_as(society.role, user=society).get("/kiosks/lsps/?format=csv"))

    assert {row["name"] for row in everyone} == {lsp.name, other.name}
    mine = next(row for row in everyone if row["name"] == lsp.name)
    assert (mine["kiosks"], mine["active_kiosks"], mine["district"]) == ("2", "1", "Jaipur")
    assert other.name in only_ajmer and lsp.name not in only_ajmer
    assert [row["name"] for row in by_name] == [other.name]
    assert [row["name"] for row in district] == [lsp.name]


@pytest.mark.parametrize("role", [Role.LSP, Role.OPERATOR, Role.CITIZEN, Role.DEPARTMENT_ADMIN])
def test_the_lsp_pages_are_refused_to_other_roles(client_as, role):
    client = client_as(role)
    assert client.get("/kiosks/lsps/").status_code == 403
    assert client.get("/kiosks/lsps/new/").status_code == 403


def test_the_auditor_reads_the_list_but_cannot_register(client_as):
    client = client_as(Role.AUDITOR)
    assert client.get("/kiosks/lsps/").status_code == 200
    assert client.get("/kiosks/lsps/new/").status_code == 403


# --- the command line ----------------------------------------------------------------------------


def test_the_command_registers_and_lists_lsps(state, login, ajmer):
    out = io.StringIO()
    call_command(
        "lsp",
        "register",
        "--login=lsp.ajmer",
        "--name=Ajmer Digital",
        "--district=ajmer",
        f"--by={state.username}",
        stdout=out,
    )
    assert LSP.objects.get(user=login).name == "Ajmer Digital"

    listing = io.StringIO()
    call_command("lsp", "list", "--district=ajmer", stdout=listing)
    assert "lsp.ajmer\tAjmer Digital\t0 kiosks, 0 active" in listing.getvalue()

    with pytest.raises(CommandError, match=r"kiosks\.lsp_already_registered"):
        call_command(
            "lsp",
            "register",
            "--login=lsp.ajmer",
            "--name=Again",
            "--district=ajmer",
            f"--by={state.username}",
        )
