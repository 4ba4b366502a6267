"""The demo applications: one per workflow state, filed once however often the demo runs."""

from __future__ import annotations

from conftest import give_kiosk
from emitra.accounts.roles import Role
from emitra.applications.demo import ensure_demo_applications
from emitra.applications.models import Application, ApplicationEvent
from emitra.catalog.services import assign_department_staff
from emitra.ledger.models import JournalTransaction


def test_demo_applications_are_filed_once_in_every_state(
    make_user, domicile, revenue, jaipur, sanganer
):
    give_kiosk(make_user(Role.OPERATOR, username="op.jaipur", district=jaipur))
    officer = make_user(Role.DEPARTMENT_OFFICER, username="officer.revenue")
    assign_department_staff(user=officer, department=revenue)

    first = ensure_demo_applications()
    events = ApplicationEvent.objects.count()
    money = JournalTransaction.objects.count()
    second = ensure_demo_applications()

    assert [a.pk for a in first] == [a.pk for a in second]
    assert ApplicationEvent.objects.count() == events
    assert JournalTransaction.objects.count() == money
    assert sorted(Application.objects.values_list("state", flat=True)) == [
        "issued",
        "rejected",
        "sent_back",
        "submitted",
        "under_review",
    ]
    assert Application.objects.get(state="issued").certificate_number.startswith("DOM-")


def test_the_demo_needs_its_people_and_service(db):
    assert ensure_demo_applications() == []
