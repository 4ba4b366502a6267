"""The shipped catalog has what the issue and DESIGN.md §1 promise (checked on the file)."""

from __future__ import annotations

import json
import re

import pytest

from emitra.catalog import catalogfile, formschema

DOC = json.loads(catalogfile.SHIPPED.read_text(encoding="utf-8"))
SERVICES = {s["code"]: s for s in DOC["services"]}
DEPARTMENTS = {d["code"]: d for d in DOC["departments"]}
DEVANAGARI = re.compile("[\u0900-\u097f]")


def test_at_least_100_services_from_at_least_20_government_departments_and_boards():
    government = {
        s["department"]
        for s in DOC["services"]
        if DEPARTMENTS[s["department"]]["kind"] != "partner"
    }
    assert len(SERVICES) >= 100
    assert len(government) >= 20
    assert {
        "jvvnl",
        "avvnl",
        "jdvvnl",
        "phed",
        "revenue",
        "sje",
        "police",
        "transport",
        "food",
        "labour",
        "health",
        "lsg",
        "rbse",
        "uniraj",
    } <= government


@pytest.mark.parametrize(
    "code",
    [
        "jvvnl-electricity-bill",
        "avvnl-electricity-bill",
        "jdvvnl-electricity-bill",
        "phed-water-bill",
        "jan-aadhaar-enrolment",
        "domicile-certificate",
        "caste-certificate-sc-st",
        "old-age-pension",
        "palanhar-yojana",
        "police-character-verification",
        "maa-yojana-registration",
        "pan-card-application",
        "college-admission",
        "ration-card-new",
    ],
)
def test_every_service_named_in_the_design_is_there(code):
    assert SERVICES[code]["versions"]


def test_b2c_services_in_every_category_the_design_names():
    b2c = {s["category"] for s in DOC["services"] if s["type"] == "B2C"}
    assert {
        "b2c-education",
        "b2c-agriculture",
        "b2c-health",
        "b2c-mutual-funds",
        "b2c-insurance",
        "b2c-house-rent",
        "b2c-banking",
    } <= b2c


def test_every_name_has_hindi_and_english():
    named = [*DOC["services"], *DOC["departments"], *DOC["categories"], *DOC["document_types"]]
    named += [h for d in DOC["departments"] for h in d["revenue_heads"]]
    assert all(DEVANAGARI.search(item["name_hi"]) for item in named)
    assert all(re.search("[A-Za-z]", item["name_en"]) for item in named)


def test_electricity_and_water_bills_are_paid_for_by_the_department():
    for code in (
        "jvvnl-electricity-bill",
        "avvnl-electricity-bill",
        "jdvvnl-electricity-bill",
        "phed-water-bill",
    ):
        assert SERVICES[code]["versions"][-1]["charge"] == "bill_department_paid"


def test_the_demo_officers_departments_are_in_the_file():
    assert {"revenue", "phed"} <= set(DEPARTMENTS)


def test_every_shipped_form_is_a_valid_form_schema():
    for name, schema in DOC["forms"].items():
        assert formschema.check_schema(schema) == [], name


def test_the_shipped_file_passes_validation_without_a_database(db):
    assert (
        catalogfile.validate(catalogfile.SHIPPED.read_text(encoding="utf-8"))["format"]
        == "emitra-catalog/1"
    )
