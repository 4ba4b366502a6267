"""Account statements: a period in IST dates, each entry with its running balance, totals, and
the same statement as a CSV table (plain rupees for Excel) or a bilingual PDF (Typst).

Periods are whole days in IST: `first` from 00:00 IST, `last` inclusive up to 23:59:59.999 IST
(the query runs to 00:00 IST of the next day, exclusive). At most MAX_DAYS days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from emitra.core import pdf
from emitra.core.errors import InvalidInput
from emitra.core.money import format_inr, plain_rupees
from emitra.core.timeutil import IST, format_ist, to_ist
from emitra.ledger import selectors
from emitra.ledger.models import Account

MAX_DAYS = 366
# Far enough for any wallet's history, near enough that IST midnights stay in datetime's range.
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)

# What the journal's `kind` means to the person reading the statement.
KIND_LABELS: dict[str, Promise] = {
    "topup": _("Wallet top-up"),
    "pay": _("Payment"),
    "bill_payment": _("Bill payment"),
    "application_fee": _("Application fee"),
    "hold_post": _("Payment from reserved amount"),
    "reversal": _("Reversal"),
    "refund": _("Refund"),
    "commission": _("Commission"),
    "adjustment": _("Adjustment"),
}


def kind_label(kind: str) -> str:
    """The kind in words, in the active language; an unknown kind is shown as its code."""
    label = KIND_LABELS.get(kind)
    return str(label) if label is not None else kind.replace("_", " ")


# --- the period ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=IST)

    @property
    def end(self) -> datetime:
        """00:00 IST of the day after `last` (exclusive)."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=IST)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def __str__(self) -> str:
        return f"{self.first:%d-%m-%Y} – {self.last:%d-%m-%Y}"


def today_ist(now: datetime | None = None) -> date:
    return to_ist(now or timezone.now()).date()


def _parse_date(raw: str) -> date:
    text = raw.strip()
    value: date | None = None
    if _ISO_DATE.match(text):
        try:
            value = date.fromisoformat(text)
        except ValueError:  # 2026-02-30 and the like
            value = None
    if value is None or not EARLIEST <= value <= LATEST:
        raise InvalidInput(
            "statement.bad_date",
            _("“%(value)s” is not a date. Use the form YYYY-MM-DD, for example 2026-04-01.")
            % {"value": text[:20]},
        )
    return value


def parse_period(raw_from: str | None, raw_to: str | None, *, today: date) -> Period:
    """`from`/`to` as typed in the URL; empty ones default to this month so far (IST)."""
    first = _parse_date(raw_from) if raw_from and raw_from.strip() else today.replace(day=1)
    last = _parse_date(raw_to) if raw_to and raw_to.strip() else today
    if first > last:
        raise InvalidInput("statement.reversed", _("The start date is after the end date."))
    period = Period(first, last)
    if period.days > MAX_DAYS:
        raise InvalidInput(
            "statement.too_long",
            _("A statement can cover at most %(days)s days. Choose a shorter period.")
            % {"days": MAX_DAYS},
        )
    return period


# --- the statement ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementRow:
    at: datetime
    transaction_id: int
    kind: str
    memo: str
    debit: int  # paise, 0 when the entry is a credit
    credit: int  # paise, 0 when the entry is a debit
    balance: int  # running balance after this entry

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


@dataclass(frozen=True)
class Statement:
    account_code: str
    holder: str
    period: Period
    opening: int
    rows: list[StatementRow]
    generated_at: datetime

    @property
    def total_credits(self) -> int:
        return sum(row.credit for row in self.rows)

    @property
    def total_debits(self) -> int:
        return sum(row.debit for row in self.rows)

    @property
    def closing(self) -> int:
        return self.opening + self.total_credits - self.total_debits


def build_statement(
    account: Account, *, holder: str, period: Period, now: datetime | None = None
) -> Statement:
    opening, lines = selectors.statement(account, start=period.start, end=period.end)
    rows = [
        StatementRow(
            at=line.at,
            transaction_id=line.transaction_id,
            kind=line.kind,
            memo=line.memo,
            debit=-line.amount if line.amount < 0 else 0,
            credit=line.amount if line.amount > 0 else 0,
            balance=line.running_balance,
        )
        for line in lines
    ]
    return Statement(
        account_code=account.code,
        holder=holder,
        period=period,
        opening=opening,
        rows=rows,
        generated_at=now or timezone.now(),
    )


def file_name(statement: Statement, extension: str) -> str:
    code = re.sub(r"[^A-Za-z0-9]+", "-", statement.account_code).strip("-")
    return f"emitra-statement-{code}-{statement.period.first}-{statement.period.last}.{extension}"


# --- daily closing balance, drawn as bars (inline SVG, no script) -------------------------------


@dataclass(frozen=True)
class DayBalance:
    day: date
    closing: int


def daily_closing(statement: Statement, *, today: date) -> list[DayBalance]:
    """The balance at the end of each day of the period (up to today), days without entries
    carrying the previous day's balance forward."""
    last_day = min(statement.period.last, today)
    balance = statement.opening
    rows = iter(statement.rows)
    pending = next(rows, None)
    days = []
    day = statement.period.first
    while day <= last_day:
        while pending is not None and to_ist(pending.at).date() <= day:
            balance = pending.balance
            pending = next(rows, None)
        days.append(DayBalance(day, balance))
        day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    negative: bool
    title: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    zero_y: str
    bars: list[Bar]
    high: str  # the largest balance, labelled at the top
    low: str  # the smallest (0 unless a balance went below zero), at the bottom
    first_day: str
    last_day: str


CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM = 720, 180, 12, 160


def balance_chart(days: list[DayBalance]) -> Chart | None:
    """Bars from the zero line; coordinates as text so the template prints them unlocalised."""
    if not days:
        return None
    high = max(0, *(d.closing for d in days))
    low = min(0, *(d.closing for d in days))
    span = (high - low) or 1
    plot = CHART_BOTTOM - CHART_TOP

    def y_of(value: int) -> float:
        return CHART_TOP + (high - value) * plot / span

    zero = y_of(0)
    step = CHART_WIDTH / len(days)
    gap = step * 0.15 if step >= 4 else 0
    bars = []
    for i, day in enumerate(days):
        top = y_of(day.closing)
        bars.append(
            Bar(
                x=f"{i * step + gap / 2:.2f}",
                y=f"{min(top, zero):.2f}",
                width=f"{step - gap:.2f}",
                height=f"{max(abs(zero - top), 0.5):.2f}",
                negative=day.closing < 0,
                title=f"{day.day:%d-%m-%Y}: {format_inr(day.closing)}",
            )
        )
    return Chart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        zero_y=f"{zero:.2f}",
        bars=bars,
        high=format_inr(high),
        low=format_inr(low),
        first_day=f"{days[0].day:%d-%m-%Y}",
        last_day=f"{days[-1].day:%d-%m-%Y}",
    )


# --- CSV: plain numbers in rupees for Excel -----------------------------------------------------

# A cell starting with one of these is a formula to Excel; prefix text cells with an apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def csv_table(statement: Statement) -> tuple[list[str], list[list[str]]]:
    """Header and rows: the opening balance, each entry, the closing balance. Debit and credit
    columns hold only entries, so Excel's SUM of a column is that column's total."""
    header = [
        gettext("Date and time (IST)"),
        gettext("Transaction no."),
        gettext("Kind"),
        gettext("Memo"),
        gettext("Debit (₹)"),
        gettext("Credit (₹)"),
        gettext("Balance (₹)"),
    ]
    rows = [["", "", gettext("Opening balance"), "", "", "", plain_rupees(statement.opening)]]
    rows += [
        [
            format_ist(row.at),
            str(row.transaction_id),
            text_cell(row.kind_label),
            text_cell(row.memo),
            plain_rupees(row.debit) if row.debit else "",
            plain_rupees(row.credit) if row.credit else "",
            plain_rupees(row.balance),
        ]
        for row in statement.rows
    ]
    rows.append(["", "", gettext("Closing balance"), "", "", "", plain_rupees(statement.closing)])
    return header, rows


# --- PDF: bilingual headings (Hindi, English beneath), values in the reader's language ---------


def both_languages(message: Promise) -> dict[str, str]:
    with translation.override("hi"):
        hindi = str(message)
    with translation.override("en"):
        english = str(message)
    return {"hi": hindi, "en": english}


def joined_languages(message: Promise) -> str:
    pair = both_languages(message)
    return pair["hi"] if pair["hi"] == pair["en"] else f"{pair['hi']} · {pair['en']}"


PDF_LABELS: dict[str, Promise] = {
    "title": _("Wallet statement"),
    "brand": _("e-Mitra"),
    "holder": _("Account holder"),
    "wallet": _("Wallet"),
    "period": _("Period"),
    "generated": _("Generated at"),
    "opening": _("Opening balance"),
    "closing": _("Closing balance"),
    "credits": _("Total credits"),
    "debits": _("Total debits"),
    "at": _("Date and time (IST)"),
    "txn": _("Transaction no."),
    "kind": _("Kind"),
    "memo": _("Memo"),
    "debit": _("Debit"),
    "credit": _("Credit"),
    "balance": _("Balance"),
}
PDF_FOOTER = _("e-Mitra wallet statement, generated by computer; it needs no signature.")
PDF_EMPTY = _("No entries in this period.")


def pdf_data(statement: Statement) -> dict[str, object]:
    """Everything the Typst template prints, already translated and formatted as text."""
    language = translation.get_language() or "hi"
    return {
        "lang": "en" if language.startswith("en") else "hi",
        "labels": {key: both_languages(label) for key, label in PDF_LABELS.items()},
        "holder": statement.holder,
        "wallet": statement.account_code,
        "period": str(statement.period),
        "generated": format_ist(statement.generated_at),
        "opening": format_inr(statement.opening),
        "closing": format_inr(statement.closing),
        "credits": format_inr(statement.total_credits),
        "debits": format_inr(statement.total_debits),
        "rows": [
            {
                "at": format_ist(row.at),
                "txn": str(row.transaction_id),
                "kind": row.kind_label,
                "memo": row.memo,
                "debit": format_inr(row.debit) if row.debit else "",
                "credit": format_inr(row.credit) if row.credit else "",
                "balance": format_inr(row.balance),
            }
            for row in statement.rows
        ],
        "empty": str(PDF_EMPTY),
        "footer": joined_languages(PDF_FOOTER),
        "page_of": gettext("Page %(page)s of %(pages)s") % {"page": "{page}", "pages": "{pages}"},
    }


def render_pdf(statement: Statement, *, strict: bool = False) -> bytes:
    return pdf.render_pdf(
        "ledger/statement.typ",
        pdf_data(statement),
        created=statement.generated_at,
        strict=strict,
    )
