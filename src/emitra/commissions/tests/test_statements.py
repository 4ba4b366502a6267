"""The monthly commission statement: IST month boundaries, totals by service, CSV and a
bilingual PDF, for the operator themself and for the state admin and the auditor."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

import pytest
from django.utils import timezone
from django.utils.translation import trans_real

from emitra.accounts.roles import Role
from emitra.commissions import statements
from emitra.core.errors import InvalidInput
from emitra.core.tests.pdftext import pdf_text, squeezed
from emitra.core.timeutil import IST

OWN_URL = "/wallet/commission/"


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment)
        yield


def ist(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=IST)


@pytest.fixture
def november(pay, operator, wallet):
    """Three payments in November 2026 (IST), one just before it and one just after."""
    for moment, service, amount in [
        (ist(10, 31, 23, 59), "domicile", 0),
        (ist(11, 1, 0, 1), "domicile", 0),
        (ist(11, 15, 12), "electricity", 1_500_00),
        (ist(11, 30, 23, 59), "domicile", 0),
        (ist(12, 1, 0, 0), "domicile", 0),
    ]:
        with clock(moment):
            pay(service, operator, wallet, amount=amount)


def test_a_month_is_its_ist_days_and_totals_add_up(november, operator):
    statement = statements.build_statement(operator, month=statements.Month(2026, 11))

    assert [line.at.astimezone(IST).day for line in statement.lines] == [1, 15, 30]
    assert statement.count == 3
    assert statement.total_amount == 60_00 + 1_500_00 + 60_00
    assert statement.total_kiosk == 38_50 + 7_70 + 38_50
    assert statement.total_lsp == 4_00 + 80 + 4_00
    assert statement.total_state == 7_50 + 1_50 + 7_50
    rows = [(r.service_code, r.count, r.amount, r.kiosk) for r in statement.by_service]
    assert rows == [("domicile", 2, 120_00, 77_00), ("electricity", 1, 1_500_00, 7_70)]


def test_the_month_defaults_to_this_month_in_ist():
    assert statements.parse_month("", today=date(2026, 3, 31)) == statements.Month(2026, 3)
    assert statements.parse_month("2026-04", today=date(2026, 3, 31)) == statements.Month(2026, 4)


@pytest.mark.parametrize("typed", ["2026-13", "2026-4", "April", "2026-04-01", "1999-01"])
def test_what_is_not_a_month_is_refused_with_a_message(typed):
    with pytest.raises(InvalidInput) as refused:
        statements.parse_month(typed, today=date(2026, 11, 28))
    assert refused.value.code == "commissions.bad_month"


def test_the_operator_sees_totals_by_service_and_the_lines(client_as, operator, november):
    client = client_as(Role.OPERATOR, user=operator)

    page = client.get(OWN_URL, {"month": "2026-11"})

    assert page.status_code == 200
    html = page.content.decode()
    for text in ["Commission statement", "By service", "₹1,620.00", "₹84.70"]:
        assert text in html, text
    assert "₹8.80" in html  # the month's LSP share
    assert "Electricity bill" in html


def test_a_bad_month_is_explained_with_400(client_as, operator, wallet):
    client = client_as(Role.OPERATOR, user=operator)

    page = client.get(OWN_URL, {"month": "2026-13", "format": "pdf"})

    assert page.status_code == 400
    assert "is not a month" in page.content.decode()


def csv_rows(response) -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM, for Excel"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_has_a_bom_a_line_per_payment_and_the_totals(client_as, operator, november):
    client = client_as(Role.OPERATOR, user=operator)

    response = client.get(OWN_URL, {"month": "2026-11", "format": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    assert f"emitra-commission-{operator.pk}-2026-11.csv" in response["Content-Disposition"]
    header, *lines, total = csv_rows(response)
    assert header[2:] == [
        "Service code",
        "Service",
        "Kiosk category",
        "Commission paid by",
        "Amount collected (₹)",
        "Kiosk commission (₹)",
        "LSP share (₹)",
        "State share (₹)",
    ]
    assert [line[0] for line in lines] == [
        "01-11-2026 00:01 IST",
        "15-11-2026 12:00 IST",
        "30-11-2026 23:59 IST",
    ]
    assert lines[1][2:] == [
        "electricity",
        "Electricity bill",
        "B",
        "Department",
        "1500.00",
        "7.70",
        "0.80",
        "1.50",
    ]
    assert total[3:] == ["Total", "", "", "1620.00", "84.70", "8.80", "16.50"]


# Hindi for the PDF's headings as the translators are asked to write them; put in the Hindi
# catalog for the test, so it holds before and after locale/hi has them.
HINDI_HEADINGS = {
    "Commission statement": "कमीशन विवरण",
    "Kiosk commission": "कियोस्क कमीशन",
    "By service": "सेवा अनुसार",
    "Amount collected": "संग्रहित राशि",
}


@pytest.fixture
def hindi_headings():
    catalog = getattr(trans_real.translation("hi"), "_catalog")  # noqa: B009 - private on purpose
    top = catalog._catalogs[0]
    saved = {msgid: top[msgid] for msgid in HINDI_HEADINGS if msgid in top}
    for msgid, hindi in HINDI_HEADINGS.items():
        catalog[msgid] = hindi
    yield HINDI_HEADINGS
    for msgid in HINDI_HEADINGS:
        top.pop(msgid, None)
    top.update(saved)


def test_the_pdf_has_hindi_headings_english_beneath_and_indian_rupees(
    client_as, operator, november, hindi_headings
):
    client = client_as(Role.OPERATOR, user=operator)

    response = client.get(OWN_URL, {"month": "2026-11", "format": "pdf"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    flat = squeezed(text)
    for hindi in hindi_headings.values():
        assert squeezed(hindi) in flat, hindi
    assert "Commission statement" in text
    assert squeezed("राधा कृष्ण शर्मा") in flat
    assert squeezed("बिजली बिल") in flat
    for amount in ["₹1,620.00", "₹84.70", "₹8.80", "₹1,500.00"]:
        assert amount in text, amount
    assert "11-2026" in text


def test_an_empty_month_still_renders(client_as, operator, wallet):
    client = client_as(Role.OPERATOR, user=operator)

    assert client.get(OWN_URL).status_code == 200
    text = pdf_text(client.get(OWN_URL, {"month": "2026-01", "format": "pdf"}).content)
    assert "No transactions in this month." in text


def test_another_operator_sees_only_their_own_commission(client_as, make_user, november):
    client = client_as(Role.OPERATOR, preferred_language="en")

    page = client.get(OWN_URL, {"month": "2026-11", "format": "csv"})

    _header, total = csv_rows(page)
    assert total[6:] == ["0.00", "0.00", "0.00", "0.00"]


def test_operators_cannot_open_an_operators_statement_by_id(client_as, operator, november):
    client = client_as(Role.OPERATOR)

    assert client.get(f"/commissions/{operator.pk}/").status_code == 403


@pytest.mark.parametrize("role", [Role.STATE_ADMIN, Role.AUDITOR])
def test_the_state_admin_and_auditor_open_any_operators_statement(
    client_as, role, operator, november
):
    client = client_as(role, preferred_language="en")

    page = client.get(f"/commissions/{operator.pk}/", {"month": "2026-11"})
    printed = client.get(f"/commissions/{operator.pk}/", {"month": "2026-11", "format": "csv"})

    assert page.status_code == 200
    assert "₹84.70" in page.content.decode()
    assert csv_rows(printed)[-1][7] == "84.70"


def test_a_user_who_is_not_an_operator_has_no_statement(client_as, make_user):
    client = client_as(Role.STATE_ADMIN)

    assert client.get(f"/commissions/{client.user.pk}/").status_code == 404
    assert client.get("/commissions/999999/").status_code == 404


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.DISTRICT_ADMIN, Role.LSP])
def test_other_roles_are_refused(client_as, role, operator):
    client = client_as(role)

    assert client.get(f"/commissions/{operator.pk}/").status_code == 403
    assert client.get(OWN_URL).status_code == 403
