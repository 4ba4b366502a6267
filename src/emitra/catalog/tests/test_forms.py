"""Forms as JSON Schema: checked, rendered accessibly, validated on the server."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from emitra.catalog import formschema
from emitra.core.verhoeff import check_digit
from emitra.geo.models import Block, District, GramPanchayat


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


VALID_AADHAAR = "99994105705" + check_digit("99994105705")


def field(kind: str, **extra) -> dict[str, Any]:
    return {"x-field": kind, "title": kind.title(), "x-title-hi": "क्षेत्र", **extra}


def schema(required=("value",), **spec) -> dict[str, Any]:
    return {"type": "object", "properties": {"value": field(**spec)}, "required": list(required)}


def error_of(kind: str, value: str, **extra) -> str:
    bound = formschema.bind(schema(kind=kind, **extra), {"value": value})
    return str(bound.errors.get("value", ""))


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        ("jan_aadhaar", "1234567890", ["123456789", "12345678901", "12345abcde"]),
        ("jan_aadhaar_member", "12345678901", ["1234567890", "123456789012"]),
        (
            "aadhaar",
            VALID_AADHAAR,
            [
                "123456789012",
                "099941057058",
                VALID_AADHAAR[:-1] + str((int(VALID_AADHAAR[-1]) + 1) % 10),
            ],
        ),
        ("mobile", "9829012345", ["5829012345", "98290123"]),
        ("pincode", "302001", ["402001", "29999", "3020011", "299999", "350000"]),
    ],
)
def test_identity_numbers_are_checked(kind, good, bad):
    assert error_of(kind, good) == ""
    for value in bad:
        assert error_of(kind, value) != "", value


def test_aadhaar_accepts_spaces_and_is_shown_masked():
    spaced = f"{VALID_AADHAAR[:4]} {VALID_AADHAAR[4:8]} {VALID_AADHAAR[8:]}"
    bound = formschema.bind(schema(kind="aadhaar"), {"value": spaced})

    assert bound.cleaned["value"] == VALID_AADHAAR
    assert bound.summary() == [("Aadhaar", f"XXXX-XXXX-{VALID_AADHAAR[-4:]}")]


def test_a_bad_aadhaar_check_digit_says_so():
    wrong = VALID_AADHAAR[:-1] + str((int(VALID_AADHAAR[-1]) + 1) % 10)
    assert "valid Aadhaar" in error_of("aadhaar", wrong)


def test_dates_are_iso_and_a_past_only_date_refuses_the_future():
    assert error_of("date", "2001-08-15", **{"x-past": True}) == ""
    assert error_of("date", "15/08/2001") != ""
    assert "future" in error_of("date", "2999-01-01", **{"x-past": True})


def test_required_fields_say_so_and_optional_ones_may_be_empty():
    assert "required" in str(formschema.bind(schema(kind="text"), {}).errors["value"])
    assert formschema.bind(schema(required=(), kind="text"), {}).is_valid


def test_choices_numbers_and_text_limits():
    assert error_of("choice", "b", enum=["a", "b"]) == ""
    assert error_of("choice", "c", enum=["a", "b"]) != ""
    assert error_of("number", "5", minimum=1, maximum=10) == ""
    assert error_of("number", "11", minimum=1, maximum=10) != ""
    assert error_of("text", "x" * 11, maxLength=10) != ""
    assert error_of("text", "RJ14CA1234", pattern="RJ[0-9]{2}[A-Z]{0,3}[0-9]{1,4}") == ""
    assert error_of("text", "DL14CA1234", pattern="RJ[0-9]{2}[A-Z]{0,3}[0-9]{1,4}") != ""


@pytest.mark.django_db
def test_district_block_and_gp_pickers_come_from_geo_and_must_belong_together():
    jaipur = District.objects.create(
        slug="jaipur", name_en="Jaipur", name_hi="जयपुर", status="pre_2023", headquarters="Jaipur"
    )
    ajmer = District.objects.create(
        slug="ajmer", name_en="Ajmer", name_hi="अजमेर", status="pre_2023", headquarters="Ajmer"
    )
    sanganer = Block.objects.create(lgd_code=1, name_en="Sanganer", district=jaipur)
    Block.objects.create(lgd_code=2, name_en="Kishangarh", district=ajmer)
    GramPanchayat.objects.create(
        lgd_code=10,
        name_en="Bagru",
        panchayat_samiti_code=1,
        panchayat_samiti_name="Sanganer",
        block=sanganer,
        district=jaipur,
    )
    form = {
        "type": "object",
        "properties": {
            "district": field("district"),
            "block": field("block", **{"x-district-field": "district"}),
            "gp": field("gram_panchayat", **{"x-block-field": "block"}),
        },
    }

    good = formschema.bind(form, {"district": "jaipur", "block": "1", "gp": "10"})
    wrong = formschema.bind(form, {"district": "jaipur", "block": "2", "gp": "10"})

    assert good.is_valid, good.errors
    assert set(wrong.errors) == {"block", "gp"}  # Kishangarh is in Ajmer; Bagru not in it
    blocks = next(f for f in good.fields if f.name == "block")
    assert [o.value for o in blocks.options] == ["1"]  # only the chosen district's blocks
    with translation.override("hi"):
        districts = formschema.bind(form, {}, validate=False).fields[0]
    assert {o.label for o in districts.options} == {"जयपुर", "अजमेर"}


def test_documents_are_checked_by_content_and_size_not_by_name():
    form = schema(kind="document", **{"x-accept": ["pdf"], "x-max-kb": 1})
    pdf = SimpleUploadedFile("scan.jpg", b"%PDF-1.7 ...", content_type="image/jpeg")
    fake = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2048, content_type="application/pdf")

    assert formschema.bind(form, {}, {"value": pdf}).is_valid
    assert "PDF" in str(formschema.bind(form, {}, {"value": fake}).errors["value"])
    assert "KB" in str(formschema.bind(form, {}, {"value": big}).errors["value"])
    assert "Attach" in str(formschema.bind(form, {}, {}).errors["value"])


def test_labels_and_help_follow_the_language():
    form = schema(kind="mobile", description="For SMS", **{"x-description-hi": "एसएमएस हेतु"})
    with translation.override("hi"):
        hindi = formschema.bind(form, {}, validate=False).fields[0]
    with translation.override("en"):
        english = formschema.bind(form, {}, validate=False).fields[0]
    assert (hindi.label, hindi.help) == ("क्षेत्र", "एसएमएस हेतु")
    assert (english.label, english.help) == ("Mobile", "For SMS")


def test_errors_and_help_are_linked_to_their_field():
    form = schema(kind="mobile", description="For SMS")
    bound = formschema.bind(form, {"value": "12"})
    assert bound.fields[0].describedby == "f-value-help f-value-error"


@pytest.mark.parametrize(
    ("broken", "where"),
    [
        (
            {"type": "object", "properties": {"a": {"x-field": "text", "title": "A"}}},
            "properties/a",
        ),
        ({"type": "object", "properties": {"a": field("nonsense")}}, "properties/a/x-field"),
        ({"type": "object", "properties": {"a": field("text")}, "required": ["b"]}, "required"),
        (
            {
                "type": "object",
                "properties": {"a": field("choice", enum=["x"], **{"x-enum-hi": []})},
            },
            "properties/a/x-enum-hi",
        ),
        (
            {"type": "object", "properties": {"a": field("block", **{"x-district-field": "d"})}},
            "properties/a/x-district-field",
        ),
    ],
)
def test_a_form_schema_using_what_we_cannot_render_is_refused(broken, where):
    problems = formschema.check_schema(broken)
    assert problems and problems[0][0] == where
