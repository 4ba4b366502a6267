"""The workflow engine: only the transitions its definition allows, only by actors whose role
and scope fit, each exactly once (conditional update), with an append-only history."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from emitra.accounts.roles import Role
from emitra.applications import services, workflow
from emitra.applications.errors import (
    ActionNotAllowed,
    BadAssignee,
    ConcurrentChange,
    DocumentsMissing,
    FormInvalid,
    NoteRequired,
    NotYourApplication,
)
from emitra.applications.models import Application, ApplicationEvent
from emitra.applications.tests.factories import upload
from emitra.catalog.models import DocumentType
from emitra.core.models import OutboxMessage
from emitra.documents.tests import samples

DEFINITION = workflow.definition("revenue.certificate.v1")


def snapshot(application: Application) -> tuple[Any, ...]:
    fresh = Application.objects.get(pk=application.pk)
    return (fresh.state, fresh.version, fresh.assigned_to_id, fresh.events.count())


def move_to(application: Application, state: str, officer: Any) -> Application:
    """Drive an application into `state` through allowed actions."""
    paths = {
        "submitted": [],
        "under_review": [("assign", "")],
        "sent_back": [("send_back", "Photo is blurred")],
        "rejected": [("reject", "Not a resident")],
        "issued": [("assign", ""), ("approve", "")],
    }
    for action, note in paths[state]:
        application = services.act(application=application, action=action, actor=officer, note=note)
    return application


def actor_for(action: str, officer: Any, operator: Any) -> Any:
    return operator if action == "resubmit" else officer


@pytest.fixture
def no_certificate(monkeypatch):
    """Approval without the certificates app (its own tests cover issuing)."""
    monkeypatch.setattr(services, "certificate_kind", lambda code: None)


# Every (state, action) pair the definition does not allow; the allowed ones are walked by
# the journey tests below.
FORBIDDEN = [
    (state, action)
    for state in sorted(DEFINITION.states)
    for action in sorted(DEFINITION.actions)
    if action != "submit" and state not in DEFINITION.actions[action].sources
]


@pytest.mark.parametrize(("state", "action"), FORBIDDEN)
def test_every_transition_the_definition_does_not_allow_is_refused(
    state, action, submit, officer, operator, no_certificate
):
    application = move_to(submit(), state, officer)
    before = snapshot(application)
    with pytest.raises(ActionNotAllowed) as caught:
        services.act(
            application=application,
            action=action,
            actor=actor_for(action, officer, operator),
            note="a reason",
        )
    assert "cannot be done while the application is" in str(caught.value.message)
    assert snapshot(application) == before


def test_an_unknown_action_and_a_second_submit_are_refused(submit, officer):
    application = submit()
    for action in ("teleport", "submit"):
        with pytest.raises(ActionNotAllowed):
            services.act(application=application, action=action, actor=officer)


@pytest.mark.parametrize(
    "role",
    [Role.OPERATOR, Role.CITIZEN, Role.LSP, Role.DISTRICT_ADMIN, Role.STATE_ADMIN, Role.AUDITOR],
)
def test_roles_the_definition_does_not_name_cannot_approve_or_reject(
    submit, make_user, officer, role
):
    application = move_to(submit(), "under_review", officer)
    stranger = make_user(role)
    before = snapshot(application)
    for action in ("approve", "reject", "send_back", "assign"):
        with pytest.raises(NotYourApplication):
            services.act(application=application, action=action, actor=stranger, note="x")
    assert snapshot(application) == before


def test_an_officer_of_another_department_is_refused(submit, staff_of, jaipur):
    from emitra.catalog.tests import factories

    phed = factories.department("phed")
    outsider = staff_of(Role.DEPARTMENT_OFFICER, phed, district=jaipur)
    application = submit()
    with pytest.raises(NotYourApplication):
        services.act(application=application, action="assign", actor=outsider)


def test_an_officer_of_another_district_is_refused(submit, staff_of, revenue, ajmer):
    ajmer_officer = staff_of(Role.DEPARTMENT_OFFICER, revenue, district=ajmer)
    application = submit()
    before = snapshot(application)
    with pytest.raises(NotYourApplication):
        services.act(application=application, action="assign", actor=ajmer_officer)
    assert snapshot(application) == before


def test_another_operator_cannot_resubmit(submit, officer, make_user, jaipur):
    application = move_to(submit(), "sent_back", officer)
    other = make_user(Role.OPERATOR, district=jaipur)
    with pytest.raises(NotYourApplication):
        services.act(application=application, action="resubmit", actor=other)


def test_reject_and_send_back_need_a_reason(submit, officer):
    application = submit()
    for action in ("reject", "send_back"):
        with pytest.raises(NoteRequired) as caught:
            services.act(application=application, action=action, actor=officer, note="  ")
        assert str(caught.value.message) == "Write the reason for this decision."
    assert Application.objects.get(pk=application.pk).state == "submitted"


def test_assigning_to_an_officer_out_of_scope_is_refused(submit, officer, staff_of, revenue, ajmer):
    application = submit()
    ajmer_officer = staff_of(Role.DEPARTMENT_OFFICER, revenue, district=ajmer)
    with pytest.raises(BadAssignee):
        services.act(
            application=application, action="assign", actor=officer, assignee=ajmer_officer
        )
    assert Application.objects.get(pk=application.pk).assigned_to is None


def test_re_assigning_keeps_the_sla_clock_and_the_escalation(submit, officer, staff_of, revenue):
    colleague = staff_of(Role.DEPARTMENT_OFFICER, revenue, full_name="Kavita Joshi")
    application = services.act(application=submit(), action="assign", actor=officer)
    past = timezone.now() - timedelta(days=3)
    Application.objects.filter(pk=application.pk).update(
        due_at=past, escalated_at=past, state_since=past - timedelta(days=5)
    )
    application.refresh_from_db()

    moved = services.act(
        application=application, action="assign", actor=officer, assignee=colleague
    )

    assert moved.assigned_to == colleague
    assert moved.version == application.version + 1
    assert (moved.state, moved.state_since, moved.due_at, moved.escalated_at) == (
        "under_review",
        past - timedelta(days=5),
        past,
        past,
    )
    assert moved.updated_at > past


def test_a_stale_page_cannot_act(submit, officer):
    application = submit()
    with pytest.raises(ConcurrentChange):
        services.act(application=application, action="assign", actor=officer, expected_version=0)
    assert snapshot(application)[1] == 1


def test_the_second_of_two_clicks_on_the_same_page_is_refused(submit, officer, no_certificate):
    application = move_to(submit(), "under_review", officer)
    seen = application.version
    services.act(application=application, action="approve", actor=officer, expected_version=seen)
    stale = Application.objects.get(pk=application.pk)
    stale.state, stale.version = "under_review", seen  # what the second click's page knew
    with pytest.raises(ConcurrentChange):
        services.act(application=stale, action="approve", actor=officer, expected_version=seen)
    assert ApplicationEvent.objects.filter(application=application, action="approve").count() == 1


def test_the_full_journey_keeps_every_step_in_the_history(
    submit, officer, operator, no_certificate
):
    application = submit()
    application = services.act(
        application=application, action="send_back", actor=officer, note="Photo is blurred"
    )
    assert application.state == "sent_back"
    application = services.act(application=application, action="resubmit", actor=operator)
    application = services.act(application=application, action="assign", actor=officer)
    assert application.assigned_to == officer
    application = services.act(application=application, action="approve", actor=officer)
    assert application.state == "issued"
    assert application.due_at is None
    assert list(application.events.values_list("action", "from_state", "to_state")) == [
        ("submit", "", "submitted"),
        ("send_back", "submitted", "sent_back"),
        ("resubmit", "sent_back", "submitted"),
        ("assign", "submitted", "under_review"),
        ("approve", "under_review", "issued"),
    ]
    templates = list(
        OutboxMessage.objects.filter(topic="notifications.sms")
        .order_by("pk")
        .values_list("payload__template", flat=True)
    )
    assert templates == [
        "application_submitted",
        "application_sent_back",
        "application_resubmitted",
        "application_under_review",
        "application_issued",
    ]


def test_the_history_is_append_only_in_the_database(submit):
    event = submit().events.get()
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        ApplicationEvent.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        ApplicationEvent.objects.filter(pk=event.pk).delete()


def test_a_failing_certificate_leaves_the_application_under_review(submit, officer, monkeypatch):
    application = move_to(submit(), "under_review", officer)

    def broken(application: Application, officer: Any) -> str:
        raise RuntimeError("signing key missing")

    monkeypatch.setattr(services, "_issue_certificate", broken)
    with pytest.raises(RuntimeError):
        services.act(application=application, action="approve", actor=officer)
    fresh = Application.objects.get(pk=application.pk)
    assert (fresh.state, fresh.version) == ("under_review", application.version)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_approving_at_once_only_one_wins(
    submit, officer, staff_of, revenue, jaipur, no_certificate
):
    second = staff_of(Role.DEPARTMENT_OFFICER, revenue, district=jaipur)
    application = move_to(submit(), "under_review", officer)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(actor: Any) -> None:
        try:
            mine = Application.objects.get(pk=application.pk)
            barrier.wait()
            services.act(application=mine, action="approve", actor=actor)
            outcomes.append("won")
        except ConcurrentChange:
            outcomes.append("lost")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(who,)) for who in (officer, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["lost", "won"]
    assert ApplicationEvent.objects.filter(application=application, action="approve").count() == 1
    assert Application.objects.get(pk=application.pk).version == application.version + 1


# --- documents a later state requires (the rule of workflow.py: checked on the way in) -----


@pytest.fixture
def report_before_issue(monkeypatch):
    """The shipped definition, with "issued" requiring a field verification report."""
    states = dict(DEFINITION.states)
    states["issued"] = replace(states["issued"], documents=("verification-report",))
    changed = replace(DEFINITION, states=states)
    original = workflow.definition
    monkeypatch.setattr(
        workflow, "definition", lambda ref: changed if ref == DEFINITION.ref else original(ref)
    )
    DocumentType.objects.get_or_create(
        code="verification-report",
        defaults={"name_en": "Verification report", "name_hi": "सत्यापन रिपोर्ट"},
    )


def test_approving_without_the_document_the_issued_state_requires_is_refused(
    submit, officer, no_certificate, report_before_issue
):
    application = move_to(submit(), "under_review", officer)
    before = snapshot(application)
    with pytest.raises(DocumentsMissing) as caught:
        services.act(application=application, action="approve", actor=officer)
    assert str(caught.value.message) == (
        "“Approve and issue” needs these documents attached first: Verification report."
    )
    assert snapshot(application) == before
    assert application.documents.count() == 3


def test_approving_with_the_required_document_attaches_it_and_issues(
    submit, officer, no_certificate, report_before_issue
):
    application = move_to(submit(), "under_review", officer)
    (slot,) = services.action_slots(application, DEFINITION.actions["approve"])
    assert (slot.name, slot.document_type, slot.required) == (
        "doc_verification_report",
        "verification-report",
        True,
    )
    done = services.act(
        application=application,
        action="approve",
        actor=officer,
        files={slot.name: upload("report.pdf", samples.pdf())},
    )
    assert done.state == "issued"
    attached = done.documents.get(document_type="verification-report")
    assert (attached.slot, attached.round, attached.label_en) == (
        "doc_verification_report",
        1,
        "Verification report",
    )
    assert attached.document.uploaded_by == officer


def test_a_bad_file_for_a_required_document_changes_nothing(
    submit, officer, no_certificate, report_before_issue
):
    application = move_to(submit(), "under_review", officer)
    before = snapshot(application)
    with pytest.raises(FormInvalid):
        services.act(
            application=application,
            action="approve",
            actor=officer,
            files={"doc_verification_report": upload("report.pdf", samples.WINDOWS_EXE)},
        )
    assert snapshot(application) == before


def test_a_document_held_from_an_earlier_round_satisfies_the_state(
    submit, officer, operator, no_certificate, monkeypatch
):
    """Resubmission leads into "submitted", whose documents the first round brought."""
    application = move_to(submit(), "sent_back", officer)
    application = services.act(application=application, action="resubmit", actor=operator)
    assert application.state == "submitted"
    # Take one away (as if it had never been filed): the way in is refused now.
    application = move_to(application, "sent_back", officer)
    application.documents.filter(document_type="self-declaration").update(
        document_type="something-else"
    )
    with pytest.raises(DocumentsMissing):
        services.act(application=application, action="resubmit", actor=operator)
