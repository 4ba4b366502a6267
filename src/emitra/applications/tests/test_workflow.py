"""Workflow definitions load and validate; SLA arithmetic skips weekends and holidays."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest

from emitra.applications import workflow
from emitra.applications.workflow import Calendar, DefinitionError, Sla
from emitra.core.timeutil import IST

# A week in November 2026: Friday the 6th, Saturday 7th, Sunday 8th, Monday 9th (a holiday
# in this test's calendar), Tuesday 10th.
CAL = Calendar(weekly_off=frozenset({5, 6}), holidays=frozenset({date(2026, 11, 9)}))


def test_every_shipped_definition_loads_and_the_catalog_refs_resolve():
    refs = {d.ref for d in workflow.all_definitions()}
    assert {"revenue.certificate.v1", "generic.v1"} <= refs
    assert workflow.definition("revenue.certificate.v1").ref == "revenue.certificate.v1"
    # A ref without a file of its own (e.g. discom.connection.v1) runs the generic one.
    assert workflow.definition("discom.connection.v1").ref == "generic.v1"


def test_a_bad_ref_is_refused():
    with pytest.raises(DefinitionError):
        workflow.definition("../../etc/passwd")


def load_raw() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(
        (workflow.WORKFLOW_DIR / "revenue.certificate.v1.json").read_text()
    )
    return raw


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (lambda d: d["actions"]["approve"].update(to="nowhere"), "unknown target state"),
        (lambda d: d["actions"]["approve"].update(roles=["wizard"]), "known roles"),
        (lambda d: d["actions"]["reject"].update({"from": ["issued"]}), "leaves terminal state"),
        (lambda d: d["actions"].pop("submit"), "'submit' action"),
        (lambda d: d["states"]["submitted"].update(sla={"weeks": 1}), "sla takes"),
        (lambda d: d["actions"]["approve"].update(effect="fireworks"), "unknown effect"),
        (lambda d: d.update(initial="limbo"), "initial state"),
        (lambda d: d["states"]["sent_back"].update(waiting_on="godot"), "waiting_on is one of"),
        (lambda d: d["states"]["issued"].update(documents="report"), "documents is a list"),
    ],
)
def test_a_broken_definition_is_refused_naming_the_fault(break_it, message):
    raw = load_raw()
    break_it(raw)
    with pytest.raises(DefinitionError, match=message):
        workflow.check_definition(raw, ref="revenue.certificate.v1")


def test_working_days_skip_weekends():
    # Thursday the 5th + 2 working days = Friday 6th, then (skipping Sat, Sun, holiday Mon) Tue 10th
    assert workflow.add_working_days(date(2026, 11, 5), 2, CAL) == date(2026, 11, 10)


def test_a_state_entered_on_a_saturday_counts_from_the_next_working_day():
    assert workflow.add_working_days(date(2026, 11, 7), 1, CAL) == date(2026, 11, 10)


def test_zero_working_days_is_the_same_day():
    assert workflow.add_working_days(date(2026, 11, 7), 0, CAL) == date(2026, 11, 7)


def test_an_sla_in_working_days_ends_at_midnight_after_the_last_day():
    entered = datetime(2026, 11, 6, 16, 30, tzinfo=IST)  # Friday afternoon
    due = workflow.due_at(entered, Sla(working_days=1), CAL)
    assert due == datetime(2026, 11, 11, 0, 0, tzinfo=IST)  # the end of Tuesday the 10th


def test_an_sla_in_hours_runs_on_the_clock():
    entered = datetime(2026, 11, 7, 22, 0, tzinfo=IST)
    assert workflow.due_at(entered, Sla(hours=4), CAL) == datetime(2026, 11, 8, 2, 0, tzinfo=IST)


def test_a_state_without_an_sla_is_never_due():
    assert workflow.due_at(datetime(2026, 11, 7, tzinfo=IST), Sla(), CAL) is None


def test_the_shipped_calendar_has_a_five_day_week():
    cal = workflow.calendar()
    assert cal.weekly_off == {5, 6}
    assert date(2026, 1, 26) in cal.holidays  # Republic Day


def test_a_sent_back_application_waits_on_the_citizen_in_every_shipped_workflow():
    for definition in workflow.all_definitions():
        if "sent_back" in definition.states:
            assert "sent_back" in definition.citizen_states, definition.ref
            assert definition.initial not in definition.citizen_states, definition.ref
