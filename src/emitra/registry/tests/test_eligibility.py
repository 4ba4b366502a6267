"""The rules engine: rules as data, refused when they name unknown things, and answers that
say which comparison decided them — checked against a plain-Python oracle."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from emitra.registry import eligibility
from emitra.registry.eligibility import All, AnyOf, Leaf, Not, RuleError, evaluate, parse_rule

BASE = {
    "age": 40,
    "gender": "female",
    "category": "general",
    "income": 1_00_000_00,
    "disability": 0,
    "marital_status": "married",
    "widowed": False,
    "widowed_parent": False,
    "district": "jaipur",
    "relation": "head",
    "occupation": "homemaker",
}


def facts(**changes: Any) -> dict[str, Any]:
    return {**BASE, **changes}


def answer(code: str, **changes: Any) -> eligibility.Answer:
    return next(a for a in eligibility.answers(facts(**changes)) if a.scheme.code == code)


# --- the shipped schemes ----------------------------------------------------------------------


def test_the_shipped_schemes_load_and_link_to_catalog_services():
    codes = {s.code: s.service for s in eligibility.schemes()}
    assert codes == {
        "old-age-pension": "old-age-pension",
        "widow-pension": "single-woman-pension",
        "disability-pension": "disability-pension",
        "palanhar": "palanhar-yojana",
        "post-matric-scholarship": "post-matric-scholarship",
        "chiranjeevi": "maa-yojana-registration",
    }


def test_old_age_pension_explains_both_ways():
    yes = answer("old-age-pension", age=67, income=30_000_00)
    no = answer("old-age-pension", age=67, income=1_20_000_00)

    assert yes.eligible
    assert (
        yes.explanation() == "Eligible because gender is Female; age 67 ≥ 55; "
        "family's annual income ₹30,000 ≤ ₹48,000."
    )
    assert not no.eligible
    assert no.explanation() == "Not eligible because family's annual income ₹1,20,000 > ₹48,000."


def test_a_man_of_56_is_not_old_enough_and_is_told_why():
    no = answer("old-age-pension", gender="male", age=56, income=0)
    assert not no.eligible
    assert "age 56 < 58" in no.explanation()


def test_widow_disability_palanhar_scholarship_and_chiranjeevi():
    assert answer("widow-pension", marital_status="widowed", income=20_000_00).eligible
    assert not answer("widow-pension", marital_status="married", income=0).eligible
    assert answer("disability-pension", disability=45, income=0).eligible
    assert "disability 30% < 40%" in answer("disability-pension", disability=30).explanation()
    child = {"age": 12, "relation": "daughter", "income": 40_000_00}
    assert answer("palanhar", widowed_parent=True, **child).eligible
    assert answer("palanhar", **child).explanation() == (
        "Not eligible because a parent is widowed: no."
    )
    assert not answer("palanhar", **child).eligible
    student = {"age": 17, "occupation": "student", "income": 40_000_00}
    assert answer("post-matric-scholarship", category="sc", **student).eligible
    assert (
        "not one of" in answer("post-matric-scholarship", category="obc", **student).explanation()
    )
    assert answer("chiranjeevi").eligible
    assert not answer("chiranjeevi", relation="son").eligible


def test_explanations_are_bilingual():
    from django.utils import translation

    with translation.override("hi"):
        text = answer("old-age-pension", age=67, income=1_20_000_00).explanation()
    assert "₹1,20,000 > ₹48,000" in text


# --- refusing bad rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"field": "caste", "op": "eq", "value": "x"}, "unknown field “caste”"),
        ({"field": "age", "op": "approx", "value": 3}, "unknown operator “approx”"),
        ({"field": "age", "op": "ge", "value": "sixty"}, "needs a whole number"),
        ({"field": "gender", "op": "eq", "value": "robot"}, "not a value of gender"),
        ({"field": "gender", "op": "gt", "value": "female"}, "cannot be compared"),
        ({"field": "age", "op": "between", "value": [60, 20]}, "low ≤ high"),
        ({"field": "age", "op": "ge", "value": 1, "unit": "y"}, "unknown operator or key: unit"),
        ({"all": []}, "non-empty list"),
        ({"xor": [{"field": "age", "op": "ge", "value": 1}]}, "unknown operator or key: xor"),
        ({"all": [{"field": "age"}], "any": []}, "must be the only key"),
    ],
)
def test_rules_naming_unknown_things_are_refused_clearly(rule, message):
    with pytest.raises(RuleError) as refused:
        parse_rule(rule)
    assert message in str(refused.value.message)
    assert "Scheme rules refused at rule" in str(refused.value.message)


def test_a_bad_rule_file_is_refused_at_load_and_by_the_command(tmp_path):
    bad = {
        "format": 1,
        "schemes": [
            {
                "code": "x",
                "name_en": "X",
                "name_hi": "एक्स",
                "rule": {
                    "all": [
                        {"field": "age", "op": "ge", "value": 1},
                        {"field": "salary", "op": "lt", "value": 5},
                    ]
                },
            }
        ],
    }
    path = tmp_path / "schemes.json"
    path.write_text(json.dumps(bad), encoding="utf-8")

    with pytest.raises(
        RuleError, match=r"schemes\[0\]\(x\)\.rule\.all\[1\].*unknown field “salary”"
    ):
        eligibility.load_schemes(path)
    with pytest.raises(CommandError, match="unknown field “salary”"):
        call_command("registry_check_schemes", str(path))


def test_the_command_lists_the_shipped_schemes():
    out = io.StringIO()
    call_command("registry_check_schemes", stdout=out)
    assert "6 schemes OK." in out.getvalue()


# --- properties ----------------------------------------------------------------------------------

INT_FIELDS = ["age", "disability", "income"]


@st.composite
def leaves(draw: Any) -> Leaf:
    name = draw(st.sampled_from([*INT_FIELDS, "gender", "widowed"]))
    if name == "gender":
        op = draw(st.sampled_from(["eq", "ne", "in"]))
        value = draw(st.sampled_from(["female", "male", "transgender"]))
        return Leaf(name, op, (value,) if op == "in" else value)
    if name == "widowed":
        return Leaf(name, draw(st.sampled_from(["eq", "ne"])), draw(st.booleans()))
    op = draw(st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge", "between"]))
    if op == "between":
        low = draw(st.integers(0, 100))
        return Leaf(name, op, (low, low + draw(st.integers(0, 50))))
    return Leaf(name, op, draw(st.integers(0, 120)))


rules = st.recursive(
    leaves(),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=4).map(lambda p: All(tuple(p))),
        st.lists(inner, min_size=1, max_size=4).map(lambda p: AnyOf(tuple(p))),
        inner.map(Not),
    ),
    max_leaves=12,
)

fact_sets = st.fixed_dictionaries(
    {
        "age": st.integers(0, 120),
        "disability": st.integers(0, 100),
        "income": st.integers(0, 150),
        "gender": st.sampled_from(["female", "male", "transgender"]),
        "widowed": st.booleans(),
    }
)


def oracle(rule: Any, f: dict[str, Any]) -> bool:
    """The meaning of a rule, written independently of the engine."""
    if isinstance(rule, All):
        return all(oracle(p, f) for p in rule.parts)
    if isinstance(rule, AnyOf):
        return any(oracle(p, f) for p in rule.parts)
    if isinstance(rule, Not):
        return not oracle(rule.part, f)
    a, v = f[rule.field], rule.value
    return bool(
        {
            "eq": lambda: a == v,
            "ne": lambda: a != v,
            "in": lambda: a in v,
            "lt": lambda: a < v,
            "le": lambda: a <= v,
            "gt": lambda: a > v,
            "ge": lambda: a >= v,
            "between": lambda: v[0] <= a <= v[1],
        }[rule.op]()
    )


def leaves_of(rule: Any) -> list[Leaf]:
    if isinstance(rule, Leaf):
        return [rule]
    if isinstance(rule, Not):
        return leaves_of(rule.part)
    return [leaf for part in rule.parts for leaf in leaves_of(part)]


@given(rules, fact_sets)
def test_all_any_not_agree_with_a_python_oracle(rule, f):
    assert evaluate(rule, f).ok == oracle(rule, f)


@given(rules, fact_sets)
def test_the_explanation_names_deciding_comparisons_of_the_rule_each_true_as_stated(rule, f):
    verdict = evaluate(rule, f)
    assert verdict.reasons, "an answer always says why"
    rule_leaves = leaves_of(rule)
    for reason in verdict.reasons:
        assert reason.leaf in rule_leaves
        assert reason.holds == reason.leaf.holds(f)  # the sentence is true of these facts
        assert reason.text()


@given(leaves(), fact_sets)
def test_a_single_rule_is_explained_by_itself(leaf, f):
    verdict = evaluate(leaf, f)
    assert [r.leaf for r in verdict.reasons] == [leaf]


@given(st.lists(leaves(), min_size=1, max_size=5), fact_sets)
def test_a_failing_all_names_a_failing_part(parts, f):
    verdict = evaluate(All(tuple(parts)), f)
    if not verdict.ok:
        assert len(verdict.reasons) == 1 and not verdict.reasons[0].holds


@given(st.integers(0, 119), st.integers(0, 120), st.integers(0, 10_00_000))
def test_old_age_eligibility_is_monotonic_in_age_and_income(age, threshold, income):
    rule = parse_rule(
        {
            "all": [
                {"field": "age", "op": "ge", "value": threshold},
                {"field": "income", "op": "le", "value": 48_000},
            ]
        }
    )
    here = evaluate(rule, {"age": age, "income": income * 100}).ok
    if here:  # older, or poorer, stays eligible
        assert evaluate(rule, {"age": age + 1, "income": income * 100}).ok
        assert evaluate(rule, {"age": age, "income": max(income - 1, 0) * 100}).ok


@given(fact_sets)
def test_every_shipped_scheme_answers_with_a_reason(drawn):
    f = {**BASE, **drawn, "income": drawn["income"] * 1000_00}
    for found in eligibility.answers(f):
        assert found.verdict.reasons
        assert found.explanation().startswith(("Eligible because", "Not eligible because"))


def test_a_bad_shipped_rule_file_fails_the_system_check(tmp_path, monkeypatch):
    from emitra.registry.apps import scheme_rules_load

    assert scheme_rules_load() == []
    path = tmp_path / "schemes.json"
    path.write_text(
        '{"format": 1, "schemes": [{"code": "x", "name_en": "X", "name_hi": "X",'
        ' "rule": {"field": "age", "op": "~", "value": 1}}]}',
        encoding="utf-8",
    )
    monkeypatch.setattr(eligibility, "SCHEMES_FILE", path)
    [error] = scheme_rules_load()
    assert error.id == "registry.E001" and "unknown operator “~”" in error.msg


# --- district values are districts -------------------------------------------------------------


def district_rule(value: Any, op: str = "eq") -> dict[str, Any]:
    return {"field": "district", "op": op, "value": value}


@pytest.mark.django_db
def test_a_district_value_must_be_a_district_of_the_register(geo):
    assert parse_rule(district_rule("jaipur")) == Leaf("district", "eq", "jaipur")
    assert parse_rule(district_rule(["jaipur", "ajmer"], "in")) == Leaf(
        "district", "in", ("jaipur", "ajmer")
    )
    with pytest.raises(RuleError) as refused:
        parse_rule(district_rule(["ajmer", "jaipr"], "in"))
    message = str(refused.value.message)
    assert "“jaipr” is not a district" in message and "did you mean: jaipur?" in message
    with pytest.raises(RuleError, match="“bikaner” is not a district"):  # not in this register
        parse_rule(district_rule("bikaner"))


@pytest.mark.django_db
def test_a_district_rule_answers_by_the_familys_district(geo):
    [scheme] = eligibility.parse_schemes(
        {
            "format": 1,
            "schemes": [
                {"code": "d", "name_en": "D", "name_hi": "डी", "rule": district_rule("jaipur")}
            ],
        }
    )
    assert eligibility.answers(facts(district="jaipur"), [scheme])[0].eligible
    no = eligibility.answers(facts(district="ajmer"), [scheme])[0]
    assert not no.eligible and "district is not jaipur" in no.explanation()


@pytest.mark.django_db
def test_a_misspelt_district_is_refused_at_load_by_the_command_and_the_system_check(
    geo, tmp_path, monkeypatch
):
    from emitra.registry.apps import scheme_rules_load

    path = tmp_path / "schemes.json"
    path.write_text(
        json.dumps(
            {
                "format": 1,
                "schemes": [
                    {
                        "code": "local",
                        "name_en": "Local",
                        "name_hi": "स्थानीय",
                        "rule": {
                            "all": [
                                {"field": "age", "op": "ge", "value": 60},
                                district_rule("Jaipur"),
                            ]
                        },
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match=r"schemes\[0\]\(local\)\.rule\.all\[1\].*“Jaipur” is not"):
        eligibility.load_schemes(path)
    with pytest.raises(CommandError, match="“Jaipur” is not a district"):
        call_command("registry_check_schemes", str(path))
    monkeypatch.setattr(eligibility, "SCHEMES_FILE", path)
    [error] = scheme_rules_load()
    assert error.id == "registry.E001" and "did you mean: jaipur?" in error.msg


@pytest.mark.django_db
def test_before_the_geography_is_loaded_districts_come_from_its_shipped_list():
    from emitra.geo.models import District

    assert not District.objects.exists()
    known = eligibility.known_districts()
    assert len(known) == 41 and {"jaipur", "balotra", "salumbar"} <= known
