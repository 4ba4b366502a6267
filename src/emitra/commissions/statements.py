"""The monthly commission statement of one operator: a calendar month in IST, a table by
service (count, amount collected, kiosk commission), the totals with the LSP and state shares,
and the line list — as a page, a CSV table (plain rupees for Excel) or a bilingual PDF.

Month boundaries and times are IST; the period, CSV cell and bilingual-label helpers are the
wallet statement's (`emitra.ledger.statements`).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from emitra.accounts.models import User
from emitra.commissions import selectors
from emitra.commissions.models import CommissionLine, Payer
from emitra.core import pdf
from emitra.core.errors import InvalidInput
from emitra.core.money import format_inr, plain_rupees
from emitra.core.timeutil import format_ist
from emitra.ledger import selectors as ledger_selectors
from emitra.ledger.statements import (
    EARLIEST,
    LATEST,
    Period,
    both_languages,
    joined_languages,
    text_cell,
    today_ist,
)

_MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def period(self) -> Period:
        last = calendar.monthrange(self.year, self.month)[1]
        return Period(date(self.year, self.month, 1), date(self.year, self.month, last))

    @property
    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.year:04d}"


def parse_month(raw: str | None, *, today: date) -> Month:
    """`YYYY-MM` as typed in the URL; empty means this month (IST)."""
    text = (raw or "").strip()
    if not text:
        return Month(today.year, today.month)
    found = _MONTH.match(text)
    if found is not None:
        month = Month(int(found.group(1)), int(found.group(2)))
        if 1 <= month.month <= 12 and EARLIEST.year <= month.year <= LATEST.year:
            return month
    raise InvalidInput(
        "commissions.bad_month",
        _("“%(value)s” is not a month. Use the form YYYY-MM, for example 2026-04.")
        % {"value": text[:20]},
    )


def this_month() -> Month:
    today = today_ist()
    return Month(today.year, today.month)


@dataclass(frozen=True)
class ServiceRow:
    service_code: str
    service_name: str
    service_names: dict[str, str]  # {"hi": …, "en": …} for the bilingual PDF
    count: int
    amount: int
    kiosk: int


@dataclass(frozen=True)
class CommissionStatement:
    operator: User
    wallet_code: str
    month: Month
    lines: list[CommissionLine]
    generated_at: datetime

    @property
    def count(self) -> int:
        return len(self.lines)

    @property
    def total_amount(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def total_kiosk(self) -> int:
        return sum(line.kiosk_share for line in self.lines)

    @property
    def total_lsp(self) -> int:
        return sum(line.lsp_share for line in self.lines)

    @property
    def total_state(self) -> int:
        return sum(line.state_share for line in self.lines)

    @property
    def by_service(self) -> list[ServiceRow]:
        rows: dict[str, ServiceRow] = {}
        for line in self.lines:
            seen = rows.get(line.service_code)
            rows[line.service_code] = ServiceRow(
                service_code=line.service_code,
                service_name=service_name(line),
                service_names={"hi": line.service.name_hi, "en": line.service.name_en},
                count=(seen.count if seen else 0) + 1,
                amount=(seen.amount if seen else 0) + line.amount,
                kiosk=(seen.kiosk if seen else 0) + line.kiosk_share,
            )
        return sorted(rows.values(), key=lambda row: (-row.kiosk, row.service_code))


def service_name(line: CommissionLine) -> str:
    service = line.service
    return (
        service.name_hi
        if (translation.get_language() or "hi").startswith("hi")
        else (service.name_en)
    )


def payer_label(line: CommissionLine) -> str:
    return str(Payer(line.payer).label)


def build_statement(
    operator: User, *, month: Month, now: datetime | None = None
) -> CommissionStatement:
    period = month.period
    wallet = ledger_selectors.wallet_of(operator.pk)
    return CommissionStatement(
        operator=operator,
        wallet_code=wallet.code if wallet is not None else "",
        month=month,
        lines=selectors.lines_of(operator.pk, start=period.start, end=period.end),
        generated_at=now or timezone.now(),
    )


def file_name(statement: CommissionStatement, extension: str) -> str:
    return f"emitra-commission-{statement.operator.pk}-{statement.month.iso}.{extension}"


# --- CSV: one row per posting, then the totals --------------------------------------------------


def csv_table(statement: CommissionStatement) -> tuple[list[str], list[list[str]]]:
    header = [
        gettext("Date and time (IST)"),
        gettext("Transaction no."),
        gettext("Service code"),
        gettext("Service"),
        gettext("Kiosk category"),
        gettext("Commission paid by"),
        gettext("Amount collected (₹)"),
        gettext("Kiosk commission (₹)"),
        gettext("LSP share (₹)"),
        gettext("State share (₹)"),
    ]
    rows = [
        [
            format_ist(line.at),
            str(line.transaction_id),
            text_cell(line.service_code),
            text_cell(service_name(line)),
            line.kiosk_category,
            payer_label(line),
            plain_rupees(line.amount),
            plain_rupees(line.kiosk_share),
            plain_rupees(line.lsp_share),
            plain_rupees(line.state_share),
        ]
        for line in statement.lines
    ]
    rows.append(
        [
            "",
            "",
            "",
            gettext("Total"),
            "",
            "",
            plain_rupees(statement.total_amount),
            plain_rupees(statement.total_kiosk),
            plain_rupees(statement.total_lsp),
            plain_rupees(statement.total_state),
        ]
    )
    return header, rows


# --- PDF: bilingual headings (Hindi, English beneath), values in the reader's language ---------

PDF_LABELS: dict[str, Promise] = {
    "title": _("Commission statement"),
    "brand": _("e-Mitra"),
    "holder": _("Operator"),
    "wallet": _("Wallet"),
    "month": _("Month"),
    "generated": _("Generated at"),
    "count": _("Transactions"),
    "amount": _("Amount collected"),
    "kiosk": _("Kiosk commission"),
    "lsp": _("LSP share"),
    "state": _("State share"),
    "by_service": _("By service"),
    "lines": _("Transactions in the month"),
    "service": _("Service"),
    "at": _("Date and time (IST)"),
    "txn": _("Transaction no."),
    "payer": _("Commission paid by"),
    "total": _("Total"),
}
PDF_FOOTER = _("e-Mitra commission statement, generated by computer; it needs no signature.")
PDF_EMPTY = _("No transactions in this month.")


def pdf_data(statement: CommissionStatement) -> dict[str, object]:
    """Everything the Typst template prints, already translated and formatted as text."""
    language = translation.get_language() or "hi"
    return {
        "lang": "en" if language.startswith("en") else "hi",
        "labels": {key: both_languages(label) for key, label in PDF_LABELS.items()},
        "holder": statement.operator.full_name,
        "wallet": statement.wallet_code or "—",
        "month": str(statement.month),
        "generated": format_ist(statement.generated_at),
        "count": str(statement.count),
        "amount": format_inr(statement.total_amount),
        "kiosk": format_inr(statement.total_kiosk),
        "lsp": format_inr(statement.total_lsp),
        "state": format_inr(statement.total_state),
        "services": [
            {
                "service": row.service_names,
                "count": str(row.count),
                "amount": format_inr(row.amount),
                "kiosk": format_inr(row.kiosk),
            }
            for row in statement.by_service
        ],
        "rows": [
            {
                "at": format_ist(line.at),
                "txn": str(line.transaction_id),
                "service": service_name(line),
                "payer": payer_label(line),
                "amount": format_inr(line.amount),
                "kiosk": format_inr(line.kiosk_share),
                "lsp": format_inr(line.lsp_share),
            }
            for line in statement.lines
        ],
        "empty": str(PDF_EMPTY),
        "footer": joined_languages(PDF_FOOTER),
        "page_of": gettext("Page %(page)s of %(pages)s") % {"page": "{page}", "pages": "{pages}"},
    }


def render_pdf(statement: CommissionStatement, *, strict: bool = False) -> bytes:
    return pdf.render_pdf(
        "commissions/statement.typ",
        pdf_data(statement),
        created=statement.generated_at,
        strict=strict,
    )
