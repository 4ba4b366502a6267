"""Simultaneous bookings cannot overfill a slot, and a double click moves a visit once
(PostgreSQL, threads)."""

from __future__ import annotations

import pytest

from emitra.home_visits import services
from emitra.home_visits.models import Visit, VisitEvent
from emitra.home_visits.tests import factories as f
from emitra.ledger.tests.test_concurrency import run_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_four_bookings_for_the_last_place_in_a_slot_give_one_visit(settings):
    settings.HOME_VISIT_SLOT_CAPACITY = 1
    jaipur = f.district()
    f.kiosk(jaipur)
    service = f.home_service()
    citizens = [f.citizen(jaipur) for _ in range(4)]

    outcomes = run_threads(4, lambda i: f.book(citizens[i], jaipur, service).state)

    assert sorted(map(str, outcomes)) == ["assigned"] + ["home_visits.slot_full"] * 3
    assert Visit.objects.count() == 1


def test_a_double_click_on_visited_moves_the_visit_once():
    jaipur = f.district()
    kiosk = f.kiosk(jaipur)
    visit = f.book(f.citizen(jaipur), jaipur, f.home_service())

    copies = [Visit.objects.get(pk=visit.pk) for _ in range(3)]  # what each click read

    outcomes = run_threads(
        3, lambda i: services.mark_visited(actor=kiosk.operator, visit=copies[i]).state
    )

    assert sorted(map(str, outcomes)) == ["home_visits.changed"] * 2 + ["visited"]
    assert VisitEvent.objects.filter(visit=visit, action="visit").count() == 1
