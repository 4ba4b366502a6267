"""The wallet statement: running balance from the opening balance, IST day boundaries, the
period rules, and the page, CSV and PDF for the operator, the state admin and the auditor."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
from django.utils import timezone, translation
from django.utils.translation import trans_real

from emitra.accounts.roles import Role
from emitra.core.errors import InvalidInput
from emitra.core.tests.pdftext import pdf_text, squeezed
from emitra.core.timeutil import IST
from emitra.ledger import services, statements
from emitra.ledger.models import AccountKind
from emitra.ledger.services import Leg

HINDI_NAME = "राधा कृष्ण शर्मा"


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    """Post ledger entries as if it were `moment` (services stamp entries with timezone.now)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment)
        yield


def ist(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0):
    return datetime(year, month, day, hour, minute, second, tzinfo=IST)


@pytest.fixture
def books(db):
    gateway = services.open_account(
        code="gateway:test", kind=AccountKind.GATEWAY_CLEARING, name="Gateway"
    )
    biller = services.open_account(
        code="biller:test", kind=AccountKind.BILLER_CLEARING, name="Biller"
    )
    return gateway, biller


@pytest.fixture
def operator(make_user):
    return make_user(Role.OPERATOR, full_name=HINDI_NAME, preferred_language="en")


@pytest.fixture
def wallet(operator):
    return services.open_operator_wallet(user_id=operator.pk, name=operator.full_name)


class Poster:
    def __init__(self, gateway, biller, wallet):
        self.gateway, self.biller, self.wallet = gateway, biller, wallet
        self.n = 0

    def _key(self) -> str:
        self.n += 1
        return f"st-{self.wallet.pk}-{self.n}"

    def top_up(self, at: datetime, amount: int, memo: str = ""):
        with clock(at):
            return services.transfer(
                legs=[Leg(self.gateway, self.wallet, amount)],
                kind="topup",
                scope="test",
                key=self._key(),
                memo=memo,
            )

    def pay(self, at: datetime, amount: int, memo: str = ""):
        with clock(at):
            return services.transfer(
                legs=[Leg(self.wallet, self.biller, amount)],
                kind="bill_payment",
                scope="test",
                key=self._key(),
                memo=memo,
            )

    def reverse(self, at: datetime, original):
        with clock(at):
            return services.reverse(original=original, scope="test", key=self._key())


@pytest.fixture
def post(books, wallet):
    gateway, biller = books
    return Poster(gateway, biller, wallet)


NOVEMBER = statements.Period(date(2026, 11, 1), date(2026, 11, 30))


# --- balances -----------------------------------------------------------------------------------


def test_running_balance_and_totals_start_from_the_balance_before_the_period(post, wallet):
    post.top_up(ist(2026, 10, 20, 10, 0), 1_000_00)
    post.top_up(ist(2026, 11, 2, 9, 0), 500_00)
    bill = post.pay(ist(2026, 11, 3, 12, 0), 200_00, memo="K-number 1234")
    post.reverse(ist(2026, 11, 4, 8, 0), bill)
    post.pay(ist(2026, 11, 5, 8, 0), 50_00)
    post.top_up(ist(2026, 12, 1, 10, 0), 9_999_00)  # after the period

    statement = statements.build_statement(wallet, holder=HINDI_NAME, period=NOVEMBER)

    assert statement.opening == 1_000_00
    assert [(r.kind, r.credit, r.debit, r.balance) for r in statement.rows] == [
        ("topup", 500_00, 0, 1_500_00),
        ("bill_payment", 0, 200_00, 1_300_00),
        ("reversal", 200_00, 0, 1_500_00),
        ("bill_payment", 0, 50_00, 1_450_00),
    ]
    assert statement.total_credits == 700_00
    assert statement.total_debits == 250_00
    assert statement.closing == 1_450_00 == statement.rows[-1].balance
    assert statement.rows[1].memo == "K-number 1234"
    with translation.override("en"):
        assert [r.kind_label for r in statement.rows][:3] == [
            "Wallet top-up",
            "Bill payment",
            "Reversal",
        ]


def test_days_are_ist_days_the_last_one_included_to_2359(post, wallet):
    post.top_up(ist(2026, 10, 31, 23, 59, 59), 1_00)  # before: in the opening balance
    post.top_up(ist(2026, 11, 1, 0, 0), 10_00)  # first instant of the period
    post.top_up(ist(2026, 11, 30, 23, 59), 100_00)  # 18:29 UTC: still 30 November in IST
    post.top_up(ist(2026, 12, 1, 0, 0), 1_000_00)  # 18:30 UTC on 30 November: not included

    statement = statements.build_statement(wallet, holder="", period=NOVEMBER)

    assert statement.opening == 1_00
    assert [row.credit for row in statement.rows] == [10_00, 100_00]
    assert statement.closing == 111_00


def test_daily_closing_balances_carry_forward_over_quiet_days(post, wallet):
    post.top_up(ist(2026, 10, 20, 10, 0), 100_00)
    post.top_up(ist(2026, 11, 2, 23, 30), 50_00)
    post.pay(ist(2026, 11, 4, 0, 10), 30_00)
    statement = statements.build_statement(
        wallet, holder="", period=statements.Period(date(2026, 11, 1), date(2026, 11, 30))
    )

    days = statements.daily_closing(statement, today=date(2026, 11, 5))

    assert [(d.day.day, d.closing) for d in days] == [
        (1, 100_00),
        (2, 150_00),
        (3, 150_00),
        (4, 120_00),
        (5, 120_00),
    ]
    chart = statements.balance_chart(days)
    assert chart is not None and len(chart.bars) == 5
    assert chart.high == "₹150.00"


# --- the period ---------------------------------------------------------------------------------

TODAY = date(2026, 11, 28)


def test_the_default_period_is_this_month_so_far():
    assert statements.parse_period(None, None, today=TODAY) == statements.Period(
        date(2026, 11, 1), TODAY
    )
    assert statements.parse_period("", " ", today=TODAY).first == date(2026, 11, 1)


def test_a_period_of_366_days_is_allowed_and_367_is_not():
    assert statements.parse_period("2025-11-28", "2026-11-28", today=TODAY).days == 366
    with pytest.raises(InvalidInput) as refused:
        statements.parse_period("2025-11-27", "2026-11-28", today=TODAY)
    assert refused.value.code == "statement.too_long"


def test_the_start_must_not_be_after_the_end():
    with pytest.raises(InvalidInput) as refused:
        statements.parse_period("2026-11-10", "2026-11-09", today=TODAY)
    assert refused.value.code == "statement.reversed"


@pytest.mark.parametrize(
    "typed", ["2026-13-01", "2026-02-30", "yesterday", "01-11-2026", "20261101", "1999-12-31", "0"]
)
def test_what_is_not_a_date_is_refused_with_a_message(typed):
    with pytest.raises(InvalidInput) as refused:
        statements.parse_period(typed, None, today=TODAY)
    assert refused.value.code == "statement.bad_date"
    assert typed in str(refused.value.message)


# --- the operator's page, CSV and PDF -----------------------------------------------------------


@pytest.fixture
def november(post):
    post.top_up(ist(2026, 10, 20, 10, 0), 1_23_456_50)
    post.top_up(ist(2026, 11, 2, 9, 0), 10_00_000_00, memo='=HYPERLINK("http://x")')
    post.pay(ist(2026, 11, 3, 12, 0), 2_345_75, memo="बिजली बिल K-1234 #*[x]")
    return post


def statement_url(**query: str) -> str:
    params = {"from": "2026-11-01", "to": "2026-11-30", **query}
    return "/wallet/statement/?" + "&".join(f"{k}={v}" for k, v in params.items())


def test_the_operator_sees_opening_entries_totals_closing_and_a_chart(
    client_as, operator, november
):
    client = client_as(Role.OPERATOR, user=operator)

    response = client.get(statement_url())

    assert response.status_code == 200
    page = response.content.decode()
    assert HINDI_NAME in page
    for amount in ["₹1,23,456.50", "₹10,00,000.00", "₹2,345.75", "₹11,21,110.75"]:
        assert amount in page, amount
    assert "Wallet top-up" in page and "Bill payment" in page
    assert "<svg" in page and "<rect" in page
    assert "बिजली बिल K-1234 #*[x]" in page
    assert response["Cache-Control"].startswith("max-age=0")


def csv_rows(response) -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM, for Excel"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_has_a_bom_a_header_and_plain_rupees(client_as, operator, november):
    client = client_as(Role.OPERATOR, user=operator)

    response = client.get(statement_url(format="csv"))

    assert response["Content-Type"].startswith("text/csv")
    assert "emitra-statement-wallet-user-" in response["Content-Disposition"]
    header, opening, *entries, closing = csv_rows(response)
    assert header == [
        "Date and time (IST)",
        "Transaction no.",
        "Kind",
        "Memo",
        "Debit (₹)",
        "Credit (₹)",
        "Balance (₹)",
    ]
    assert opening[2:] == ["Opening balance", "", "", "", "123456.50"]
    assert [e[0] for e in entries] == ["02-11-2026 09:00 IST", "03-11-2026 12:00 IST"]
    assert entries[0][2:] == [
        "Wallet top-up",
        '\'=HYPERLINK("http://x")',  # not a formula when Excel opens it
        "",
        "1000000.00",
        "1123456.50",
    ]
    assert entries[1][4:] == ["2345.75", "", "1121110.75"]
    assert closing[2:] == ["Closing balance", "", "", "", "1121110.75"]


# Hindi for the PDF's headings as the translators are asked to write them (GLOSSARY.md); the
# fixture puts them in the Hindi catalog for the test, so the test holds before and after
# locale/hi has them.
HINDI_HEADINGS = {
    "Wallet statement": "वॉलेट विवरण",
    "Account holder": "खाताधारक",
    "Opening balance": "प्रारंभिक शेष राशि",
    "Closing balance": "अंतिम शेष राशि",
    "Total credits": "कुल जमा",
    "Total debits": "कुल नामे",
    "Balance": "शेष राशि",
}


@pytest.fixture
def hindi_headings():
    catalog = getattr(trans_real.translation("hi"), "_catalog")  # noqa: B009 - private on purpose
    top = catalog._catalogs[0]  # the merged catalog Django reads first
    saved = {msgid: top[msgid] for msgid in HINDI_HEADINGS if msgid in top}
    for msgid, hindi in HINDI_HEADINGS.items():
        catalog[msgid] = hindi
    yield HINDI_HEADINGS
    for msgid in HINDI_HEADINGS:
        top.pop(msgid, None)
    top.update(saved)


def test_the_pdf_has_the_hindi_name_headings_and_indian_grouped_rupees(
    client_as, operator, wallet, november, hindi_headings
):
    client = client_as(Role.OPERATOR, user=operator)

    response = client.get(statement_url(format="pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('.pdf"')
    text = pdf_text(response.content)
    flat = squeezed(text)
    assert squeezed(HINDI_NAME) in flat
    for hindi in hindi_headings.values():
        assert squeezed(hindi) in flat, hindi
    assert "Wallet statement" in text  # English beneath the Hindi
    for amount in ["₹1,23,456.50", "₹10,00,000.00", "₹2,345.75", "₹11,21,110.75"]:
        assert amount in text, amount
    assert squeezed("बिजली बिल K-1234 #*[x]") in flat
    assert "Page 1 of 1" in text
    assert "01-11-2026 – 30-11-2026" in text
    assert wallet.code in text
    assert re.search(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2} IST", text)  # generated at, in IST


def test_a_statement_with_no_entries_still_renders(client_as, operator, wallet):
    client = client_as(Role.OPERATOR, user=operator)

    page = client.get(statement_url())
    text = pdf_text(client.get(statement_url(format="pdf")).content)

    assert page.status_code == 200
    assert "No entries in this period." in page.content.decode()
    assert "No entries in this period." in text
    assert "₹0.00" in text


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2026-02-30"},
        {"from": "कल"},
        {"from": "2026-11-30", "to": "2026-11-01"},
        {"from": "2024-01-01", "to": "2026-11-01"},
        {"from": "2026-02-30", "format": "csv"},
        {"from": "2026-02-30", "format": "pdf"},
    ],
)
def test_a_bad_period_is_explained_on_the_page_with_400(client_as, operator, wallet, query):
    client = client_as(Role.OPERATOR, user=operator)

    response = client.get("/wallet/statement/", query)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert 'role="alert"' in response.content.decode()


def test_the_period_message_follows_the_language(client_as, make_user, wallet):
    client = client_as(Role.OPERATOR, preferred_language="en")

    response = client.get("/wallet/statement/", {"from": "2026-11-30", "to": "2026-11-01"})

    assert "The start date is after the end date." in response.content.decode()


def test_an_operator_without_a_wallet_is_told_so(client_as):
    client = client_as(Role.OPERATOR, preferred_language="en")

    assert "You have no wallet yet." in client.get("/wallet/statement/").content.decode()
    assert client.get("/wallet/statement/?format=csv").status_code == 404


def test_today_is_the_date_in_ist():
    assert statements.today_ist(datetime(2026, 11, 27, 18, 30, tzinfo=UTC)) == date(2026, 11, 28)
    assert statements.today_ist(datetime(2026, 11, 27, 18, 29, tzinfo=UTC)) == date(2026, 11, 27)


def test_without_dates_the_page_shows_this_month_so_far(client_as, operator, wallet):
    client = client_as(Role.OPERATOR, user=operator)
    today = statements.today_ist()

    response = client.get("/wallet/statement/")

    assert response.status_code == 200
    assert response.context["statement"].period == statements.Period(today.replace(day=1), today)


def test_an_operator_sees_only_their_own_wallet(client_as, make_user, november, books):
    other = make_user(Role.OPERATOR, full_name="दूसरा संचालक", preferred_language="en")
    other_wallet = services.open_operator_wallet(user_id=other.pk, name=other.full_name)
    gateway, biller = books
    Poster(gateway, biller, other_wallet).top_up(ist(2026, 11, 10, 10, 0), 7_77)
    client = client_as(Role.OPERATOR, user=other)

    page = client.get(statement_url()).content.decode()

    assert "₹7.77" in page
    assert "₹10,00,000.00" not in page
    assert HINDI_NAME not in page


# --- the state admin and the auditor -----------------------------------------------------------


@pytest.mark.parametrize("role", [Role.STATE_ADMIN, Role.AUDITOR])
def test_the_state_admin_and_auditor_open_any_wallet(client_as, role, wallet, november):
    client = client_as(role, preferred_language="en")
    url = f"/ledger/accounts/{wallet.code}/statement/?from=2026-11-01&to=2026-11-30"

    page = client.get(url)
    exported = client.get(url + "&format=csv")
    printed = client.get(url + "&format=pdf")

    assert page.status_code == 200
    assert HINDI_NAME in page.content.decode()
    assert "₹11,21,110.75" in page.content.decode()
    assert csv_rows(exported)[-1][-1] == "1121110.75"
    assert squeezed(HINDI_NAME) in squeezed(pdf_text(printed.content))


@pytest.mark.parametrize("role", [r for r in Role.values if r not in ("state_admin", "auditor")])
def test_other_roles_are_refused_any_wallets_statement(client_as, role, wallet):
    client = client_as(role)

    assert client.get(f"/ledger/accounts/{wallet.code}/statement/").status_code == 403


def test_an_unknown_code_or_a_hot_account_has_no_statement(client_as, books):
    gateway, _biller = books
    client = client_as(Role.STATE_ADMIN)

    assert client.get("/ledger/accounts/wallet:user:999999/statement/").status_code == 404
    assert client.get(f"/ledger/accounts/{gateway.code}/statement/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, wallet):
    for url in ("/wallet/statement/", f"/ledger/accounts/{wallet.code}/statement/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_statement_times_are_shown_in_ist(post, wallet):
    post.top_up(ist(2026, 11, 30, 23, 59), 1_00)
    statement = statements.build_statement(wallet, holder="", period=NOVEMBER)

    _header, rows = statements.csv_table(statement)

    assert rows[1][0] == "30-11-2026 23:59 IST"
