"""The catalog file: validated whole, applied all or nothing, idempotent, round-tripping."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from emitra.catalog import catalogfile
from emitra.catalog.models import (
    Department,
    RateCard,
    Service,
    ServiceVersion,
    VersionFee,
)
from emitra.core.models import AuditEntry


def edited(text: str, change) -> str:
    document = json.loads(text)
    change(document)
    return json.dumps(document, ensure_ascii=False, indent=2)


def service_index(document, code: str) -> int:
    return next(i for i, s in enumerate(document["services"]) if s["code"] == code)


def refused(text: str) -> catalogfile.CatalogFileError:
    with pytest.raises(catalogfile.CatalogFileError) as error:
        catalogfile.import_catalog(text)
    return error.value


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def counts() -> tuple[int, ...]:
    return (
        Department.objects.count(),
        Service.objects.count(),
        ServiceVersion.objects.count(),
        VersionFee.objects.count(),
        RateCard.objects.count(),
    )


@pytest.mark.django_db
def test_the_shipped_catalog_imports(shipped_catalog):
    assert Service.objects.count() >= 145
    assert ServiceVersion.objects.filter(status="published").count() >= 145
    assert AuditEntry.objects.filter(action="catalog.imported").count() == 1


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing(shipped_catalog, shipped_text):
    before = counts()
    audited = AuditEntry.objects.count()

    again = catalogfile.import_catalog(shipped_text)

    assert not again.changed
    assert sum(again.unchanged.values()) > 400
    assert counts() == before
    assert AuditEntry.objects.count() == audited


@pytest.mark.django_db
def test_export_then_import_round_trips(shipped_catalog, catalog_file):
    exported = catalogfile.dumps(catalogfile.export_catalog())

    assert not catalogfile.import_catalog(exported).changed
    assert catalogfile.dumps(catalogfile.export_catalog()) == exported
    # and the command line does the same
    path = catalog_file("")
    call_command("catalog", "export", str(path))
    assert path.read_text(encoding="utf-8") == exported


@pytest.mark.django_db
def test_export_keeps_a_forms_field_order(shipped_catalog):
    exported = catalogfile.export_catalog()
    form = exported["forms"]["certificate"]

    assert form["x-order"][:3] == ["applicant_name", "relative_name", "date_of_birth"]


@pytest.mark.django_db
def test_a_missing_translation_is_refused_whole_naming_line_and_field(shipped_text):
    text = edited(
        shipped_text, lambda d: d["services"][3].__setitem__("name_hi", "Income certificate")
    )

    error = refused(text)

    assert counts() == (0, 0, 0, 0, 0)
    [problem] = error.problems
    assert problem.path == ("services", 3, "name_hi")
    assert problem.line == line_of(text, '"name_hi": "Income certificate"')
    assert "Hindi translation is missing" in str(problem)
    assert str(problem).startswith(f"line {problem.line}, services[3].name_hi:")


@pytest.mark.django_db
def test_a_missing_name_field_is_a_missing_translation(shipped_text):
    text = edited(shipped_text, lambda d: d["categories"][0].pop("name_en"))

    [problem] = refused(text).problems

    assert problem.path == ("categories", 0)
    assert "name_en" in str(problem.message) and "translation" in str(problem.message)


@pytest.mark.django_db
def test_an_unknown_department_is_refused_whole(shipped_text):
    def change(document):
        document["services"][service_index(document, "tenant-verification")]["department"] = (
            "home-guards"
        )

    text = edited(shipped_text, change)
    [problem] = refused(text).problems

    assert counts() == (0, 0, 0, 0, 0)
    assert problem.path[-1] == "department"
    assert problem.line == line_of(text, '"department": "home-guards"')
    assert "unknown department “home-guards”" in str(problem)


@pytest.mark.django_db
def test_overlapping_effective_dates_are_refused_whole(shipped_text):
    def change(document):
        service = document["services"][service_index(document, "income-certificate")]
        service["versions"].append(
            {**service["versions"][0], "number": 2, "effective_from": "2024-04-01"}
        )

    problems = refused(edited(shipped_text, change)).problems

    assert counts() == (0, 0, 0, 0, 0)
    [problem] = problems
    assert problem.path[-3:] == ("versions", 1, "effective_from")
    assert "overlap" in str(problem)


@pytest.mark.django_db
def test_a_version_that_ends_before_it_begins_is_refused(shipped_text):
    def change(document):
        document["services"][0]["versions"][0]["effective_to"] = "2019-01-01"

    [problem] = refused(edited(shipped_text, change)).problems
    assert problem.path[-1] == "effective_to"


@pytest.mark.django_db
def test_commission_shares_that_do_not_add_up_are_refused_whole(shipped_text):
    def change(document):
        document["rate_cards"][0]["commission"]["B"]["kiosk"] = "80"
        document["commission_rules"][0]["commission"]["A"]["state"] = "10"

    problems = refused(edited(shipped_text, change)).problems

    assert counts() == (0, 0, 0, 0, 0)
    assert [p.path for p in problems] == [
        ("rate_cards", 0, "commission", "B"),
        ("commission_rules", 0, "commission", "A"),
    ]
    assert "add up to 103%, not 100%" in str(problems[0])


@pytest.mark.django_db
def test_every_problem_is_reported_not_only_the_first(shipped_text):
    def change(document):
        document["services"][0]["department"] = "nowhere"
        document["services"][1]["category"] = "nothing"
        document["services"][2]["versions"][0]["form"] = "no-form"

    assert len(refused(edited(shipped_text, change)).problems) == 3


@pytest.mark.django_db
def test_a_syntax_error_names_its_line():
    [problem] = refused('{\n  "format": "emitra-catalog/1",\n  "services": [,]\n}').problems
    assert problem.line == 3


@pytest.mark.django_db
def test_a_version_already_in_force_cannot_be_rewritten_by_a_file(shipped_catalog, shipped_text):
    def change(document):
        service = document["services"][service_index(document, "solvency-certificate")]
        service["versions"][0]["fees"][0]["amount"] = "150.00"

    [problem] = refused(edited(shipped_text, change)).problems

    assert "already in force" in str(problem)
    fee = VersionFee.objects.get(version__service__code="solvency-certificate")
    assert fee.amount == 100_00


@pytest.mark.django_db
def test_a_file_can_close_a_version_and_add_the_next_from_a_future_date(
    shipped_catalog, shipped_text
):
    start = (timezone.localdate() + timedelta(days=30)).isoformat()

    def change(document):
        service = document["services"][service_index(document, "solvency-certificate")]
        first = service["versions"][0]
        first["effective_to"] = start
        service["versions"].append(
            {
                **first,
                "number": 2,
                "effective_from": start,
                "effective_to": None,
                "fees": [{"head": "revenue-certificate-fee", "amount": "150.00"}],
            }
        )

    result = catalogfile.import_catalog(edited(shipped_text, change))

    assert result.changed
    versions = ServiceVersion.objects.filter(service__code="solvency-certificate").order_by(
        "number"
    )
    assert [v.effective_to is None for v in versions] == [False, True]
    assert versions[0].effective_to == versions[1].effective_from
    audit = AuditEntry.objects.filter(action="catalog.imported").latest("pk")
    assert audit.after is not None
    assert "serviceversion:solvency-certificate/2" in audit.after["changed"]


@pytest.mark.django_db
def test_the_command_refuses_a_bad_file_listing_each_problem(shipped_text, catalog_file):
    path = catalog_file(
        edited(shipped_text, lambda d: d["services"][0].__setitem__("department", "x"))
    )
    err = StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("catalog", "import", str(path), stderr=err)

    assert re.search(r"line \d+, services\[0\]\.department: unknown department", err.getvalue())
    assert Service.objects.count() == 0


@pytest.mark.django_db
def test_the_command_imports_then_reports_nothing_to_change(catalog_file, shipped_text):
    path = catalog_file(shipped_text)
    first, second = StringIO(), StringIO()

    call_command("catalog", "import", str(path), stdout=first)
    call_command("catalog", "import", str(path), stdout=second)

    assert "created" in first.getvalue()
    assert "nothing to change" in second.getvalue()


@pytest.mark.django_db
def test_check_validates_without_writing(catalog_file, shipped_text):
    out = StringIO()
    call_command("catalog", "check", str(catalog_file(shipped_text)), stdout=out)
    assert "valid" in out.getvalue()
    assert Service.objects.count() == 0
