"""Welfare-scheme rules as data, and explainable answers.

Rules live in ``registry/data/schemes.json`` and are checked when loaded: an unknown field,
operator, value or scheme key is refused with a message naming where it is, so a typo can
never silently make a scheme "eligible for everyone" — or, for a district value that is not a
``geo.District`` slug, "eligible for no one" (``emitra registry_check_schemes`` and the system
check registry.E001 run the same check). A rule is a tree:

    {"all": [rule, ...]}   {"any": [rule, ...]}   {"not": rule}
    {"field": "age", "op": "ge", "value": 60}     ops: eq ne in lt le gt ge between

Money fields are written in whole rupees in the file and compared in paise. Evaluating a rule
returns the verdict and the *deciding* comparisons — for an ``all`` that fails, the first
failing part; for an ``any`` that holds, the first part that holds — each a truthful sentence
("age 67 ≥ 60", "income ₹1,20,000 > ₹48,000") rendered in the reader's language.
"""

from __future__ import annotations

import csv
import difflib
import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.db import DatabaseError
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from emitra.core.errors import InvalidInput
from emitra.core.money import format_inr
from emitra.registry.models import Category, Gender, MaritalStatus, Occupation, Relation

SCHEMES_FILE = Path(__file__).resolve().parent / "data" / "schemes.json"

Value = int | str | bool


@dataclass(frozen=True)
class Field:
    """A fact rules may test: its type, its label, and for enums the allowed values."""

    name: str
    kind: str  # "int", "money", "enum", "bool", "text", "district" (a geo.District slug)
    label: str | Promise
    choices: Mapping[str, str | Promise] = field(default_factory=dict)
    unit: str = ""


def _enum(choices: Any) -> dict[str, str | Promise]:
    return {str(value): label for value, label in choices.choices}


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("age", "int", gettext_lazy("age"), unit="years"),
        Field("gender", "enum", gettext_lazy("gender"), _enum(Gender)),
        Field("category", "enum", gettext_lazy("social category"), _enum(Category)),
        Field("income", "money", gettext_lazy("family's annual income")),
        Field("disability", "int", gettext_lazy("disability"), unit="percent"),
        Field("marital_status", "enum", gettext_lazy("marital status"), _enum(MaritalStatus)),
        Field("widowed", "bool", gettext_lazy("widowed")),
        Field("widowed_parent", "bool", gettext_lazy("a parent is widowed")),
        Field("district", "district", gettext_lazy("district")),
        Field("relation", "enum", gettext_lazy("relation to the head"), _enum(Relation)),
        Field("occupation", "enum", gettext_lazy("occupation"), _enum(Occupation)),
    )
}

OPERATORS = ("eq", "ne", "in", "lt", "le", "gt", "ge", "between")
ORDERED_OPS = ("lt", "le", "gt", "ge", "between")
SYMBOL = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥"}
NEGATION = {"eq": "ne", "ne": "eq", "lt": "ge", "le": "gt", "gt": "le", "ge": "lt"}
SCHEME_KEYS = {"code", "name_en", "name_hi", "description_en", "description_hi", "service", "rule"}


class RuleError(InvalidInput):
    """A rule file or rule that cannot be used; the message says where and why."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(
            "registry.bad_rule",
            _("Scheme rules refused at %(where)s: %(problem)s")
            % {"where": where, "problem": problem},
        )
        self.where = where


# --- the rule tree -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    field: str
    op: str
    value: Any  # int / str / bool, a tuple for "in", a (low, high) pair for "between"

    def holds(self, facts: Mapping[str, Value]) -> bool:
        actual = facts[self.field]
        v = self.value
        if self.op == "eq":
            return bool(actual == v)
        if self.op == "ne":
            return bool(actual != v)
        if self.op == "in":
            return actual in v
        if self.op == "between":
            return bool(v[0] <= actual <= v[1])
        compare: dict[str, Callable[[Any, Any], bool]] = {
            "lt": lambda a, b: a < b,
            "le": lambda a, b: a <= b,
            "gt": lambda a, b: a > b,
            "ge": lambda a, b: a >= b,
        }
        return compare[self.op](actual, v)


@dataclass(frozen=True)
class All:
    parts: tuple[Rule, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Rule, ...]


@dataclass(frozen=True)
class Not:
    part: Rule


Rule = Leaf | All | AnyOf | Not


@dataclass(frozen=True)
class Reason:
    """One deciding comparison, true as stated: ``actual <op> expected``."""

    leaf: Leaf
    actual: Value
    holds: bool

    @property
    def field(self) -> str:
        return self.leaf.field

    def text(self) -> str:
        """In the active language, e.g. "age 67 ≥ 60" or "income ₹1,20,000 > ₹48,000"."""
        spec = FIELDS[self.leaf.field]
        name = str(spec.label)
        actual = show(spec, self.actual)
        op, value = self.leaf.op, self.leaf.value
        if op == "between":
            low, high = (show(spec, v) for v in value)
            if self.holds:
                return _("%(field)s %(actual)s is between %(low)s and %(high)s") % {
                    "field": name,
                    "actual": actual,
                    "low": low,
                    "high": high,
                }
            return _("%(field)s %(actual)s is not between %(low)s and %(high)s") % {
                "field": name,
                "actual": actual,
                "low": low,
                "high": high,
            }
        if op == "in":
            options = ", ".join(show(spec, v) for v in value)
            template = (
                _("%(field)s is %(actual)s, one of %(options)s")
                if self.holds
                else _("%(field)s is %(actual)s, not one of %(options)s")
            )
            return template % {"field": name, "actual": actual, "options": options}
        if spec.kind == "bool":  # "a parent is widowed: no"
            return _("%(field)s: %(value)s") % {"field": name, "value": actual}
        shown_op = op if self.holds else NEGATION[op]
        if spec.kind in ("enum", "text", "district") and shown_op in ("eq", "ne"):
            template = (
                _("%(field)s is %(value)s") if shown_op == "eq" else _("%(field)s is not %(value)s")
            )
            return template % {"field": name, "value": show(spec, value)}
        return f"{name} {actual} {SYMBOL[shown_op]} {show(spec, value)}"


def show(spec: Field, value: Any) -> str:
    if spec.kind == "money":
        return format_inr(int(value)).removesuffix(".00")
    if spec.kind == "bool":
        return _("yes") if value else _("no")
    if spec.kind == "enum":
        return str(spec.choices.get(str(value), value))
    if spec.kind == "int" and spec.unit == "percent":
        return f"{value}%"
    return str(value)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reasons: tuple[Reason, ...]


def evaluate(rule: Rule, facts: Mapping[str, Value]) -> Verdict:
    """The verdict and the comparisons that decided it (never empty)."""
    if isinstance(rule, Leaf):
        ok = rule.holds(facts)
        return Verdict(ok, (Reason(rule, facts[rule.field], ok),))
    if isinstance(rule, Not):
        inner = evaluate(rule.part, facts)
        return Verdict(not inner.ok, inner.reasons)
    results = [evaluate(part, facts) for part in rule.parts]
    if isinstance(rule, All):
        failing = [r for r in results if not r.ok]
        if failing:
            return Verdict(False, failing[0].reasons)
        return Verdict(True, tuple(reason for r in results for reason in r.reasons))
    holding = [r for r in results if r.ok]
    if holding:
        return Verdict(True, holding[0].reasons)
    return Verdict(False, tuple(reason for r in results for reason in r.reasons))


# --- loading and validating -------------------------------------------------------------------

Districts = Callable[[], Collection[str]]


def known_districts() -> frozenset[str]:
    """The district slugs a rule may name: those of ``geo.District``. Before the geography is
    loaded (an empty table, or no table yet during the first ``migrate``), the shipped list
    ``load_geography`` fills it from, so a typo is caught either way."""
    from emitra.geo import services as geo_services
    from emitra.geo.models import District

    try:
        slugs = frozenset(District.objects.values_list("slug", flat=True))
    except DatabaseError:
        slugs = frozenset()
    if slugs:
        return slugs
    shipped = geo_services.DATA_DIR / geo_services.DISTRICTS_CSV
    with shipped.open(encoding="utf-8", newline="") as handle:
        return frozenset(row["district_slug"].lower() for row in csv.DictReader(handle))


def _check_district(value: str, where: str, districts: Districts) -> None:
    known = districts()
    if value in known:
        return
    close = difflib.get_close_matches(value, sorted(known), n=3)
    raise RuleError(
        where,
        _("“%(value)s” is not a district (a slug of a district in the register%(hint)s)")
        % {
            "value": value,
            "hint": "; " + _("did you mean: %(close)s?") % {"close": ", ".join(close)}
            if close
            else "",
        },
    )


def _check_value(
    spec: Field, value: Any, where: str, districts: Districts = known_districts
) -> Value:
    if spec.kind in ("int", "money"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise RuleError(where, _("%(field)s needs a whole number ≥ 0") % {"field": spec.name})
        whole = int(value)
        return whole * 100 if spec.kind == "money" else whole
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise RuleError(where, _("%(field)s needs true or false") % {"field": spec.name})
        return value
    if not isinstance(value, str):
        raise RuleError(where, _("%(field)s needs a text value") % {"field": spec.name})
    if spec.kind == "enum" and value not in spec.choices:
        raise RuleError(
            where,
            _("“%(value)s” is not a value of %(field)s (known: %(known)s)")
            % {"value": value, "field": spec.name, "known": ", ".join(spec.choices)},
        )
    if spec.kind == "district":
        _check_district(value, where, districts)
    return str(value)


def parse_rule(data: Any, where: str = "rule", districts: Districts = known_districts) -> Rule:
    """Build a rule tree from JSON, refusing anything not in FIELDS/OPERATORS (and district
    values that are not districts: `districts` is asked only if a rule names one)."""
    if not isinstance(data, dict):
        raise RuleError(where, _("a rule must be an object"))
    combinators = [key for key in ("all", "any", "not") if key in data]
    if combinators:
        if len(data) != 1:
            raise RuleError(where, _("“%(key)s” must be the only key") % {"key": combinators[0]})
        key = combinators[0]
        inner = data[key]
        if key == "not":
            return Not(parse_rule(inner, f"{where}.not", districts))
        if not isinstance(inner, list) or not inner:
            raise RuleError(where, _("“%(key)s” needs a non-empty list") % {"key": key})
        parts = tuple(
            parse_rule(part, f"{where}.{key}[{i}]", districts) for i, part in enumerate(inner)
        )
        return All(parts) if key == "all" else AnyOf(parts)
    unknown_keys = set(data) - {"field", "op", "value"}
    if unknown_keys:
        raise RuleError(
            where,
            _("unknown operator or key: %(keys)s") % {"keys": ", ".join(sorted(unknown_keys))},
        )
    name, op = data.get("field"), data.get("op")
    if name not in FIELDS:
        raise RuleError(
            where,
            _("unknown field “%(field)s” (known: %(known)s)")
            % {"field": name, "known": ", ".join(FIELDS)},
        )
    if op not in OPERATORS:
        raise RuleError(
            where,
            _("unknown operator “%(op)s” (known: %(known)s)")
            % {"op": op, "known": ", ".join(OPERATORS)},
        )
    spec = FIELDS[str(name)]
    if "value" not in data:
        raise RuleError(where, _("a comparison needs a value"))
    raw = data["value"]
    if op in ORDERED_OPS and spec.kind not in ("int", "money"):
        raise RuleError(
            where, _("%(field)s cannot be compared with “%(op)s”") % {"field": name, "op": op}
        )
    if op == "in":
        if not isinstance(raw, list) or not raw:
            raise RuleError(where, _("“in” needs a non-empty list"))
        return Leaf(str(name), "in", tuple(_check_value(spec, v, where, districts) for v in raw))
    if op == "between":
        if not isinstance(raw, list) or len(raw) != 2:
            raise RuleError(where, _("“between” needs a list of two numbers [low, high]"))
        low, high = (_check_value(spec, v, where) for v in raw)
        if not isinstance(low, int) or not isinstance(high, int) or low > high:
            raise RuleError(where, _("“between” needs low ≤ high"))
        return Leaf(str(name), "between", (low, high))
    return Leaf(str(name), str(op), _check_value(spec, raw, where, districts))


def rule_fields(rule: Rule) -> set[str]:
    if isinstance(rule, Leaf):
        return {rule.field}
    if isinstance(rule, Not):
        return rule_fields(rule.part)
    return set().union(*(rule_fields(part) for part in rule.parts))


@dataclass(frozen=True)
class Scheme:
    code: str
    name_en: str
    name_hi: str
    description_en: str
    description_hi: str
    service: str | None  # catalog service code to apply with, if the catalog has one
    rule: Rule

    @property
    def name(self) -> str:
        return self.name_hi if (get_language() or "hi").startswith("hi") else self.name_en

    @property
    def description(self) -> str:
        hindi = (get_language() or "hi").startswith("hi")
        return self.description_hi if hindi else self.description_en


def parse_schemes(data: Any, districts: Districts = known_districts) -> list[Scheme]:
    if not isinstance(data, dict) or data.get("format") != 1 or "schemes" not in data:
        raise RuleError("file", _("expected an object with format 1 and a list of schemes"))
    schemes: list[Scheme] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["schemes"]):
        where = f"schemes[{i}]"
        if not isinstance(raw, dict):
            raise RuleError(where, _("a scheme must be an object"))
        unknown = set(raw) - SCHEME_KEYS
        missing = {"code", "name_en", "name_hi", "rule"} - set(raw)
        if unknown or missing:
            raise RuleError(
                where,
                _("unknown keys: %(unknown)s; missing keys: %(missing)s")
                % {
                    "unknown": ", ".join(sorted(unknown)) or "-",
                    "missing": ", ".join(sorted(missing)) or "-",
                },
            )
        code = str(raw["code"])
        if code in seen:
            raise RuleError(where, _("scheme “%(code)s” appears twice") % {"code": code})
        seen.add(code)
        schemes.append(
            Scheme(
                code=code,
                name_en=str(raw["name_en"]),
                name_hi=str(raw["name_hi"]),
                description_en=str(raw.get("description_en", "")),
                description_hi=str(raw.get("description_hi", "")),
                service=raw.get("service") or None,
                rule=parse_rule(raw["rule"], f"{where}({code}).rule", districts),
            )
        )
    return schemes


def load_schemes(path: Path | None = None, districts: Districts | None = None) -> list[Scheme]:
    """Read and check a rules file; district values are checked against ``geo.District``
    (looked up once, and only if a rule names a district)."""
    path = path or SCHEMES_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RuleError(str(path.name), str(exc)) from exc
    return parse_schemes(data, cache(districts or known_districts))


@cache
def schemes() -> tuple[Scheme, ...]:
    """The shipped schemes, validated once per process."""
    return tuple(load_schemes())


# --- answers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    scheme: Scheme
    verdict: Verdict

    @property
    def eligible(self) -> bool:
        return self.verdict.ok

    def explanation(self) -> str:
        because = "; ".join(reason.text() for reason in self.verdict.reasons)
        if self.eligible:
            return _("Eligible because %(reasons)s.") % {"reasons": because}
        return _("Not eligible because %(reasons)s.") % {"reasons": because}


def check_facts(facts: Mapping[str, Any]) -> dict[str, Value]:
    """Complete and check a fact set: every field present, of the right type."""
    checked: dict[str, Value] = {}
    for name, spec in FIELDS.items():
        if name not in facts:
            raise InvalidInput(
                "registry.missing_fact", _("Missing fact: %(field)s") % {"field": spec.label}
            )
        value = facts[name]
        if spec.kind in ("int", "money") and (
            isinstance(value, bool) or not isinstance(value, int)
        ):
            raise InvalidInput("registry.bad_fact", _("Bad value for %(field)s") % {"field": name})
        checked[name] = value
    return checked


def answers(facts: Mapping[str, Any], catalog: Sequence[Scheme] | None = None) -> list[Answer]:
    """Every scheme's verdict for one person, eligible ones first."""
    checked = check_facts(facts)
    found = [Answer(s, evaluate(s.rule, checked)) for s in (catalog or schemes())]
    return sorted(found, key=lambda a: not a.eligible)
