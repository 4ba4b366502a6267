"""booked → assigned → visited → completed, or cancelled: who may move a visit, and when."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, transaction

from emitra.core.errors import Conflict, InvalidInput, PermissionDenied
from emitra.core.models import OutboxMessage
from emitra.home_visits import services
from emitra.home_visits.models import Visit, VisitEvent, VisitState
from emitra.home_visits.tests import factories as f
from emitra.kiosks.tests import factories as kiosks

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> dict[str, Any]:
    jaipur = f.district()
    kiosk = f.kiosk(jaipur)
    citizen = f.citizen(jaipur)
    visit = f.book(citizen, jaipur, f.home_service())
    return {"district": jaipur, "kiosk": kiosk, "citizen": citizen, "visit": visit}


def test_the_assigned_operator_marks_visited_then_completed(setup):
    operator, visit = setup["kiosk"].operator, setup["visit"]
    visit = services.mark_visited(actor=operator, visit=visit)
    assert visit.state == VisitState.VISITED
    visit = services.complete_visit(actor=operator, visit=visit)
    assert visit.state == VisitState.COMPLETED
    assert [e.action for e in visit.events.all()] == ["book", "assign", "visit", "complete"]
    assert visit.version == 3


def test_completing_before_the_visit_and_visiting_twice_are_refused(setup):
    operator, visit = setup["kiosk"].operator, setup["visit"]
    with pytest.raises(Conflict):
        services.complete_visit(actor=operator, visit=visit)
    visit = services.mark_visited(actor=operator, visit=visit)
    with pytest.raises(Conflict):
        services.mark_visited(actor=operator, visit=visit)
    assert Visit.objects.get(pk=visit.pk).state == VisitState.VISITED


def test_another_operator_the_citizen_and_the_district_cannot_mark_visited(setup):
    jaipur, visit = setup["district"], setup["visit"]
    other = f.kiosk(jaipur).operator
    admin = kiosks.user("district_admin", jaipur)
    for actor in (other, setup["citizen"], admin):
        with pytest.raises(PermissionDenied):
            services.mark_visited(actor=actor, visit=visit)
    assert Visit.objects.get(pk=visit.pk).state == VisitState.ASSIGNED


def test_a_stale_copy_cannot_move_the_visit(setup):
    operator, visit = setup["kiosk"].operator, setup["visit"]
    stale = Visit.objects.get(pk=visit.pk)
    services.mark_visited(actor=operator, visit=visit)
    stale.state = VisitState.ASSIGNED  # what the other tab still shows
    with pytest.raises(Conflict) as refused:
        services.mark_visited(actor=operator, visit=stale)
    assert refused.value.code == "home_visits.changed"
    assert VisitEvent.objects.filter(visit=visit, action="visit").count() == 1


def test_the_citizen_cancels_before_the_visit_but_not_after(setup):
    citizen, visit = setup["citizen"], setup["visit"]
    cancelled = services.cancel_visit(actor=citizen, visit=visit)
    assert cancelled.state == VisitState.CANCELLED
    assert OutboxMessage.objects.filter(payload__template="home_visit_cancelled").count() == 1

    second = f.book(citizen, setup["district"], f.home_service("other-home"))
    services.mark_visited(actor=setup["kiosk"].operator, visit=second)
    with pytest.raises(Conflict):
        services.cancel_visit(actor=citizen, visit=Visit.objects.get(pk=second.pk))


def test_a_citizen_cannot_cancel_someone_elses_visit(setup):
    with pytest.raises(PermissionDenied):
        services.cancel_visit(actor=f.citizen(setup["district"]), visit=setup["visit"])
    assert Visit.objects.get(pk=setup["visit"].pk).state == VisitState.ASSIGNED


def test_operator_and_district_must_give_a_reason(setup):
    operator, visit = setup["kiosk"].operator, setup["visit"]
    with pytest.raises(InvalidInput):
        services.cancel_visit(actor=operator, visit=visit, reason=" ")
    visit = services.cancel_visit(actor=operator, visit=visit, reason="Road flooded")
    assert visit.reason == "Road flooded"
    with pytest.raises(Conflict):  # cancelled is final
        services.cancel_visit(
            actor=kiosks.user("district_admin", setup["district"]), visit=visit, reason="x"
        )


def test_a_district_admin_of_another_district_cannot_cancel_or_reassign(setup):
    outsider = kiosks.user("district_admin", f.district("ajmer"))
    with pytest.raises(PermissionDenied):
        services.cancel_visit(actor=outsider, visit=setup["visit"], reason="no")
    with pytest.raises(PermissionDenied):
        services.reassign_visit(actor=outsider, visit=setup["visit"])
    for role in ("state_admin", "auditor", "lsp"):
        with pytest.raises(PermissionDenied):
            services.cancel_visit(
                actor=kiosks.user(role, setup["district"]), visit=setup["visit"], reason="no"
            )


def test_the_district_reassigns_to_the_next_operator_or_a_chosen_one(setup):
    jaipur, visit = setup["district"], setup["visit"]
    admin = kiosks.user("district_admin", jaipur)
    second = f.kiosk(jaipur, kiosk_type="assisted")
    visit = services.reassign_visit(actor=admin, visit=visit)
    assert visit.kiosk == second
    assert OutboxMessage.objects.filter(payload__template="home_visit_assigned").count() == 1
    visit = services.reassign_visit(actor=admin, visit=visit, kiosk=setup["kiosk"])
    assert visit.kiosk == setup["kiosk"]
    assert [e.action for e in visit.events.all()][-2:] == ["reassign", "reassign"]
    # The first operator may no longer act; a kiosk of another district is refused.
    with pytest.raises(PermissionDenied):
        services.mark_visited(actor=second.operator, visit=visit)
    with pytest.raises(InvalidInput):
        services.reassign_visit(actor=admin, visit=visit, kiosk=f.kiosk(f.district("ajmer")))


def test_reassigning_with_no_other_operator_is_refused(setup):
    admin = kiosks.user("district_admin", setup["district"])
    with pytest.raises(InvalidInput) as refused:
        services.reassign_visit(actor=admin, visit=setup["visit"])
    assert refused.value.code == "home_visits.no_operator"
    assert Visit.objects.get(pk=setup["visit"].pk).kiosk == setup["kiosk"]


def test_a_visited_visit_cannot_be_reassigned(setup):
    visit = services.mark_visited(actor=setup["kiosk"].operator, visit=setup["visit"])
    f.kiosk(setup["district"])
    with pytest.raises(Conflict):
        services.reassign_visit(actor=kiosks.user("district_admin", setup["district"]), visit=visit)


def test_the_history_cannot_be_changed(setup):
    event = VisitEvent.objects.filter(visit=setup["visit"]).first()
    assert event is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        VisitEvent.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        VisitEvent.objects.filter(pk=event.pk).delete()
