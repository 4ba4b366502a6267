"""Workflows as data: one JSON file per definition in ``applications/workflows/``.

A service version names its workflow (``workflow_ref``, e.g. ``revenue.certificate.v1``); a
definition lists its states (bilingual labels, the SLA of each in working days or hours, the
documents a state requires, terminal states) and its actions (from which states, to which
state, the roles allowed, whether a note is required, and an effect such as issuing the
certificate). A ref without its own file runs the generic definition. Definitions are checked
when loaded (`check_definition`), so a typo fails loudly, not on an officer's click.

Documents of a state (``"documents": ["verification-report"]``, document-type codes) are what an
application must hold to be in that state, so the rule is checked on the way *in*: every action
whose target state lists documents is refused (`DocumentsMissing`, nothing changed) unless the
application holds a document of each listed type — attached in any earlier round, or uploaded
with this very action (whoever may take the action may attach them; the action's form offers a
slot for each). For the initial state that action is ``submit`` (the form makes them required
uploads) and later ``resubmit``; for a terminal state it is the decision itself (e.g. ``approve``
into ``issued`` listing a field verification report). Leaving a state checks nothing more; a
state listing no documents requires none.

A state's ``waiting_on`` says whose move it waits for (`WAITING_ON`): ``department`` (the
default) or ``citizen`` (sent back). Only the department's states are overdue in the inbox and
escalated to the department admins; past the due time of a citizen's state the SLA job reminds
the citizen once by SMS instead.

Working days skip the weekly off days and the holidays of ``workflows/calendar.json``; an SLA
of *n* working days ends at midnight (IST) after the *n*-th working day following the day
the state was entered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Final

from django.utils.translation import get_language

from emitra.accounts.roles import Role
from emitra.core.timeutil import IST

WORKFLOW_DIR: Final = Path(__file__).resolve().parent / "workflows"
GENERIC_REF: Final = "generic.v1"
EFFECTS: Final = frozenset({"issue_certificate"})
# Whose move a state waits for: the department's (its SLA is the department's, overdue means
# escalated to the department admins) or the citizen's (sent back: the clock is the citizen's,
# overdue means the citizen is reminded once by SMS, never shown as the department's delay).
WAITING_ON: Final = frozenset({"department", "citizen"})
_ROLES: Final = frozenset(str(r) for r in Role)


class DefinitionError(ValueError):
    """A workflow file is not a usable definition (a fault of the file, not of a user)."""


def is_hindi() -> bool:
    return (get_language() or "hi").startswith("hi")


@dataclass(frozen=True)
class Sla:
    working_days: int = 0
    hours: int = 0

    @property
    def is_set(self) -> bool:
        return bool(self.working_days or self.hours)


@dataclass(frozen=True)
class State:
    code: str
    label_en: str
    label_hi: str
    sla: Sla = Sla()
    documents: tuple[str, ...] = ()
    terminal: bool = False
    waiting_on: str = "department"

    @property
    def label(self) -> str:
        return self.label_hi if is_hindi() else self.label_en


@dataclass(frozen=True)
class Action:
    code: str
    label_en: str
    label_hi: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    note_required: bool = False
    effect: str = ""

    @property
    def label(self) -> str:
        return self.label_hi if is_hindi() else self.label_en


@dataclass(frozen=True)
class Definition:
    ref: str
    version: int
    name_en: str
    name_hi: str
    initial: str
    states: dict[str, State] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)

    def state(self, code: str) -> State:
        return self.states[code]

    def actions_from(self, state: str) -> list[Action]:
        return [a for a in self.actions.values() if state in a.sources]

    @property
    def terminal_states(self) -> frozenset[str]:
        return frozenset(code for code, s in self.states.items() if s.terminal)

    @property
    def citizen_states(self) -> frozenset[str]:
        """States waiting on the citizen (not terminal): their SLA is not the department's."""
        return frozenset(
            code for code, s in self.states.items() if s.waiting_on == "citizen" and not s.terminal
        )


def check_definition(raw: Any, *, ref: str) -> Definition:
    """Parse and validate one definition; raises `DefinitionError` naming what is wrong."""
    if not isinstance(raw, dict):
        raise DefinitionError(f"{ref}: a definition is a JSON object")
    problems: list[str] = []
    if raw.get("ref") != ref:
        problems.append(f"ref is {raw.get('ref')!r}, the file is named {ref!r}")
    states_raw = raw.get("states")
    actions_raw = raw.get("actions")
    if not isinstance(states_raw, dict) or not states_raw:
        raise DefinitionError(f"{ref}: needs states")
    if not isinstance(actions_raw, dict) or not actions_raw:
        raise DefinitionError(f"{ref}: needs actions")
    states: dict[str, State] = {}
    for code, spec in states_raw.items():
        sla = spec.get("sla", {}) or {}
        if set(sla) - {"working_days", "hours"} or any(
            not isinstance(v, int) or v < 0 for v in sla.values()
        ):
            problems.append(f"state {code}: sla takes working_days or hours (whole numbers)")
            sla = {}
        if not spec.get("label_en") or not spec.get("label_hi"):
            problems.append(f"state {code}: needs label_en and label_hi")
        documents = spec.get("documents", [])
        if not isinstance(documents, list) or not all(isinstance(d, str) and d for d in documents):
            problems.append(f"state {code}: documents is a list of document type codes")
            documents = []
        if spec.get("waiting_on", "department") not in WAITING_ON:
            problems.append(f"state {code}: waiting_on is one of {sorted(WAITING_ON)}")
        states[code] = State(
            code=code,
            label_en=str(spec.get("label_en", code)),
            label_hi=str(spec.get("label_hi", code)),
            sla=Sla(working_days=sla.get("working_days", 0), hours=sla.get("hours", 0)),
            documents=tuple(documents),
            terminal=bool(spec.get("terminal", False)),
            waiting_on=str(spec.get("waiting_on", "department")),
        )
    initial = str(raw.get("initial", ""))
    if initial not in states:
        problems.append(f"initial state {initial!r} is not a state")
    actions: dict[str, Action] = {}
    for code, spec in actions_raw.items():
        sources = frozenset(spec.get("from", []))
        target = str(spec.get("to", ""))
        roles = frozenset(spec.get("roles", []))
        for s in sorted(sources - set(states)):
            problems.append(f"action {code}: unknown source state {s!r}")
        for s in sorted(sources & {c for c, st in states.items() if st.terminal}):
            problems.append(f"action {code}: leaves terminal state {s!r}")
        if target not in states:
            problems.append(f"action {code}: unknown target state {target!r}")
        if not roles or roles - _ROLES:
            problems.append(f"action {code}: roles must be known roles, got {sorted(roles)}")
        effect = str(spec.get("effect", ""))
        if effect and effect not in EFFECTS:
            problems.append(f"action {code}: unknown effect {effect!r}")
        actions[code] = Action(
            code=code,
            label_en=str(spec.get("label_en", code)),
            label_hi=str(spec.get("label_hi", code)),
            sources=sources,
            target=target,
            roles=roles,
            note_required=spec.get("note") == "required",
            effect=effect,
        )
    if "submit" not in actions or actions["submit"].sources:
        problems.append(
            "needs a 'submit' action with no source states (it creates the application)"
        )
    elif actions["submit"].target != initial:
        problems.append("'submit' must lead to the initial state")
    if problems:
        raise DefinitionError(f"{ref}: " + "; ".join(problems))
    return Definition(
        ref=ref,
        version=int(raw.get("version", 1)),
        name_en=str(raw.get("name_en", ref)),
        name_hi=str(raw.get("name_hi", ref)),
        initial=initial,
        states=states,
        actions=actions,
    )


@cache
def _load_file(ref: str) -> Definition:
    path = WORKFLOW_DIR / f"{ref}.json"
    return check_definition(json.loads(path.read_text(encoding="utf-8")), ref=ref)


def has_definition(ref: str) -> bool:
    return bool(ref) and (WORKFLOW_DIR / f"{ref}.json").is_file()


def definition(ref: str) -> Definition:
    """The definition for `ref`, or the generic one when `ref` has no file of its own."""
    if not ref or "/" in ref or ref.startswith("."):
        raise DefinitionError(f"bad workflow ref {ref!r}")
    return _load_file(ref if has_definition(ref) else GENERIC_REF)


def all_definitions() -> list[Definition]:
    return [_load_file(p.stem) for p in sorted(WORKFLOW_DIR.glob("*.v*.json"))]


# --- SLA arithmetic ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    weekly_off: frozenset[int]
    holidays: frozenset[date]

    def is_working_day(self, day: date) -> bool:
        return day.weekday() not in self.weekly_off and day not in self.holidays


@cache
def calendar() -> Calendar:
    raw = json.loads((WORKFLOW_DIR / "calendar.json").read_text(encoding="utf-8"))
    return Calendar(
        weekly_off=frozenset(int(d) for d in raw.get("weekly_off", [5, 6])),
        holidays=frozenset(date.fromisoformat(d) for d in raw.get("holidays", [])),
    )


def add_working_days(start: date, days: int, cal: Calendar | None = None) -> date:
    """The `days`-th working day after `start` (`start` itself never counts)."""
    cal = cal or calendar()
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if cal.is_working_day(day):
            counted += 1
    return day


def due_at(entered: datetime, sla: Sla, cal: Calendar | None = None) -> datetime | None:
    """When a state entered at `entered` breaches its SLA; None when it has none."""
    if not sla.is_set:
        return None
    if sla.hours:
        return entered + timedelta(hours=sla.hours)
    last = add_working_days(entered.astimezone(IST).date(), sla.working_days, cal)
    return datetime.combine(last + timedelta(days=1), time.min, tzinfo=IST)
