"""Booking: who gets the visit, what it costs, and what is refused with nothing stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from emitra.core.errors import Conflict, InvalidInput, PermissionDenied
from emitra.core.models import AuditEntry, OutboxMessage
from emitra.home_visits import slots
from emitra.home_visits.models import Visit, VisitEvent, VisitState
from emitra.home_visits.tests import factories as f
from emitra.kiosks.models import KioskStatus

pytestmark = pytest.mark.django_db


def nothing_stored() -> None:
    assert Visit.objects.count() == 0
    assert VisitEvent.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="home_visits.").exists()
    assert not OutboxMessage.objects.filter(topic="notifications.sms").exists()


def test_a_citizen_books_and_the_visit_goes_to_the_home_agent_of_their_panchayat():
    jaipur = f.district()
    bassi = f.block(jaipur)
    gp = f.gram_panchayat(jaipur, bassi)
    f.kiosk(jaipur, kiosk_type="assisted", gp=gp)
    agent = f.kiosk(jaipur, kiosk_type="home", gp=gp)
    f.kiosk(jaipur, kiosk_type="home")  # elsewhere in the district
    citizen = f.citizen(jaipur, full_name="Sita Devi")

    visit = f.book(citizen, jaipur, f.home_service(), gram_panchayat=gp)

    assert visit.state == VisitState.ASSIGNED
    assert visit.kiosk == agent
    assert visit.block == bassi  # taken from the panchayat
    assert visit.citizen == citizen and visit.mobile == citizen.mobile
    assert visit.number.startswith("HV-")
    assert [e.action for e in visit.events.all()] == ["book", "assign"]
    sms = OutboxMessage.objects.get(topic="notifications.sms")
    assert sms.payload["template"] == "home_visit_booked"
    assert sms.payload["to"] == citizen.mobile


def test_an_assisted_kiosk_of_the_panchayat_is_preferred_to_a_home_agent_of_the_block():
    jaipur = f.district()
    bassi = f.block(jaipur)
    gp, other_gp = f.gram_panchayat(jaipur, bassi), f.gram_panchayat(jaipur, bassi)
    f.kiosk(jaipur, kiosk_type="home", gp=other_gp)
    assisted = f.kiosk(jaipur, kiosk_type="assisted", gp=gp)

    visit = f.book(f.citizen(jaipur), jaipur, f.home_service(), gram_panchayat=gp)

    assert visit.kiosk == assisted


def test_the_block_comes_before_the_rest_of_the_district():
    jaipur = f.district()
    bassi, chaksu = f.block(jaipur), f.block(jaipur)
    in_block = f.kiosk(jaipur, kiosk_type="assisted", gp=f.gram_panchayat(jaipur, bassi))
    f.kiosk(jaipur, kiosk_type="home", gp=f.gram_panchayat(jaipur, chaksu))

    visit = f.book(
        f.citizen(jaipur), jaipur, f.home_service(), gram_panchayat=f.gram_panchayat(jaipur, bassi)
    )

    assert visit.kiosk == in_block


def test_inactive_kiosks_and_machines_are_never_sent(settings):
    jaipur = f.district()
    gp = f.gram_panchayat(jaipur)
    f.kiosk(jaipur, kiosk_type="home", gp=gp, status=KioskStatus.SUSPENDED)
    f.kiosk(jaipur, kiosk_type="plus", gp=gp)
    active = f.kiosk(jaipur, kiosk_type="assisted")

    visit = f.book(f.citizen(jaipur), jaipur, f.home_service(), gram_panchayat=gp)

    assert visit.kiosk == active


def test_the_least_loaded_operator_gets_the_next_visit_and_a_full_one_none(settings):
    settings.HOME_VISIT_SLOT_CAPACITY = 1
    jaipur = f.district()
    first, second = f.kiosk(jaipur), f.kiosk(jaipur)
    service, citizen = f.home_service(), f.citizen(jaipur)

    a = f.book(citizen, jaipur, service)
    b = f.book(citizen, jaipur, service)

    assert {a.kiosk, b.kiosk} == {first, second}
    with pytest.raises(Conflict) as refused:
        f.book(citizen, jaipur, service)
    assert refused.value.code == "home_visits.slot_full"
    assert Visit.objects.count() == 2
    # Another slot still has room.
    assert f.book(citizen, jaipur, service, slot="12-14").kiosk is not None


def test_a_cancelled_visit_frees_its_place_in_the_slot(settings):
    from emitra.home_visits import services

    settings.HOME_VISIT_SLOT_CAPACITY = 1
    jaipur = f.district()
    f.kiosk(jaipur)
    citizen, service = f.citizen(jaipur), f.home_service()
    visit = f.book(citizen, jaipur, service)
    services.cancel_visit(actor=citizen, visit=visit)

    assert f.book(citizen, jaipur, service).state == VisitState.ASSIGNED


def test_a_district_with_no_operator_is_refused_with_a_clear_message_and_nothing_stored():
    jaipur, ajmer = f.district("jaipur"), f.district("ajmer")
    f.kiosk(jaipur)  # an operator elsewhere does not help
    f.kiosk(ajmer, status=KioskStatus.TRAINED)  # not yet active
    service, citizen = f.home_service(), f.citizen(ajmer)
    audit_before = AuditEntry.objects.count()

    with pytest.raises(InvalidInput) as refused:
        f.book(citizen, ajmer, service)

    assert refused.value.code == "home_visits.no_operator"
    assert "No e-Mitra operator makes home visits in Ajmer" in str(refused.value.message)
    nothing_stored()
    assert AuditEntry.objects.count() == audit_before
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM core_idseries WHERE series = 'HV'")
        row = cursor.fetchone()
    assert row is not None and row[0] == 0  # no number was taken


@pytest.mark.parametrize("group", ["disabled", "senior", "widow"])
def test_priority_groups_pay_no_visit_charge(group):
    jaipur = f.district()
    f.kiosk(jaipur)
    visit = f.book(f.citizen(jaipur), jaipur, f.home_service(), priority_group=group)
    assert visit.charge == 0
    assert visit.charge_waived


def test_others_are_charged_the_setting_since_the_rate_card_has_no_visit_charge(settings):
    settings.HOME_VISIT_CHARGE_PAISE = 50_00
    jaipur = f.district()
    f.kiosk(jaipur)
    visit = f.book(f.citizen(jaipur), jaipur, f.home_service())
    assert visit.charge == 50_00
    assert not visit.charge_waived


def test_a_past_day_or_a_slot_that_has_begun_is_refused(settings):
    jaipur = f.district()
    f.kiosk(jaipur)
    service, citizen = f.home_service(), f.citizen(jaipur)
    with pytest.raises(InvalidInput) as refused:
        f.book(citizen, jaipur, service, day=slots.today_ist() - timedelta(days=1))
    assert refused.value.code == "home_visits.past"
    settings.HOME_VISIT_SLOTS = [("00-01", "00:00", "00:01"), ("10-12", "10:00", "12:00")]
    with pytest.raises(InvalidInput):
        f.book(citizen, jaipur, service, day=slots.today_ist(), slot="00-01")
    with pytest.raises(InvalidInput) as refused:
        f.book(citizen, jaipur, service, day=slots.today_ist() + timedelta(days=60))
    assert refused.value.code == "home_visits.too_far"
    nothing_stored()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"pin": "30201"}, "home_visits.pin"),
        ({"address": "  "}, "home_visits.address"),
        ({"slot": "09-10"}, "home_visits.slot"),
        ({"priority_group": "vip"}, "home_visits.group"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(change, code):
    jaipur = f.district()
    f.kiosk(jaipur)
    with pytest.raises(InvalidInput) as refused:
        f.book(f.citizen(jaipur), jaipur, f.home_service(), **change)
    assert refused.value.code == code
    nothing_stored()


def test_a_service_not_offered_at_home_is_refused():
    jaipur = f.district()
    f.kiosk(jaipur)
    counter_only = f.home_service("counter-only", channels=["kiosk"])
    with pytest.raises(InvalidInput) as refused:
        f.book(f.citizen(jaipur), jaipur, counter_only)
    assert refused.value.code == "home_visits.service"
    nothing_stored()


def test_a_panchayat_of_another_district_is_refused():
    jaipur, ajmer = f.district("jaipur"), f.district("ajmer")
    f.kiosk(jaipur)
    with pytest.raises(InvalidInput):
        f.book(f.citizen(jaipur), jaipur, f.home_service(), gram_panchayat=f.gram_panchayat(ajmer))
    nothing_stored()


def test_an_operator_books_for_a_citizen_and_the_visit_joins_the_citizens_account():
    jaipur = f.district()
    operator_kiosk = f.kiosk(jaipur, kiosk_type="assisted")
    citizen = f.citizen(jaipur, mobile="9876543210")

    visit = f.book(
        operator_kiosk.operator,
        jaipur,
        f.home_service(),
        citizen_name="Ramesh",
        mobile="9876543210",
    )

    assert visit.booked_by == operator_kiosk.operator
    assert visit.citizen == citizen
    assert visit.citizen_name == "Ramesh"


def test_an_operator_without_an_active_kiosk_and_other_roles_cannot_book():
    from emitra.kiosks.tests import factories as kiosks

    jaipur = f.district()
    f.kiosk(jaipur)
    idle = f.kiosk(jaipur, status=KioskStatus.SUSPENDED)
    service = f.home_service()
    with pytest.raises(PermissionDenied):
        f.book(idle.operator, jaipur, service, citizen_name="A", mobile="9876543210")
    for role in ("lsp", "district_admin", "state_admin", "auditor"):
        with pytest.raises(PermissionDenied):
            f.book(
                kiosks.user(role, jaipur), jaipur, service, citizen_name="A", mobile="9876543210"
            )
    nothing_stored()
