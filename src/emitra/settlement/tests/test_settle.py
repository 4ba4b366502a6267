"""Daily department settlement: per-head totals of the IST day, one balanced journal, once."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from emitra.core.jobs import JOBS
from emitra.core.models import AuditEntry
from emitra.core.timeutil import IST
from emitra.ledger import chart
from emitra.ledger import services as ledger
from emitra.ledger.models import Entry, JournalTransaction
from emitra.ledger.selectors import posted_balance
from emitra.ledger.verify import verify_ledger
from emitra.settlement import documents, services
from emitra.settlement.models import Settlement
from emitra.settlement.tests.helpers import collect, frozen

pytestmark = pytest.mark.django_db


def at(day, hour, minute=0, second=0):
    return datetime.combine(day, time(hour, minute, second), tzinfo=IST)


@pytest.fixture
def day():
    return timezone.now().astimezone(IST).date() - timedelta(days=5)


@pytest.fixture
def heads(department):
    return (
        chart.revenue_head(department=department.code, head="0029-00-800", name="Fees"),
        chart.revenue_head(department=department.code, head="0030-02-103", name="Stamp duty"),
    )


@pytest.fixture
def collected(day, heads, monkeypatch):
    """Credits just before, inside and just after the IST day (IST midnight is 18:30 UTC)."""
    fees, stamps = heads
    plan = [
        (at(day - timedelta(days=1), 23, 59, 59), fees, 111_00),  # the day before
        (at(day, 0, 0, 0), fees, 500_00),  # the first instant of the day
        (at(day, 12, 30), stamps, 250_00),
        (at(day, 23, 59, 59), fees, 20_00),  # the last second of the day
        (at(day + timedelta(days=1), 0, 0, 0), stamps, 999_00),  # the next day
    ]
    for moment, head, amount in plan:
        with frozen(moment, monkeypatch):
            collect(head, amount)
    return plan


def test_a_day_is_settled_per_revenue_head_within_its_ist_bounds(department, day, heads, collected):
    fees, stamps = heads

    settlement = services.settle_department_day(department_code=department.code, day=day)

    assert settlement.number.startswith("STL-")
    assert settlement.head_totals == {fees.code: 520_00, stamps.code: 250_00}
    assert settlement.total == 770_00
    assert settlement.transaction_count == 3
    payable = services.settlement_account(department)
    assert posted_balance(payable) == 770_00
    # What is left on the heads is only the neighbouring days' money.
    assert posted_balance(fees) == 111_00
    assert posted_balance(stamps) == 999_00


def test_the_journal_moves_each_head_to_the_payable_and_balances(department, day, heads, collected):
    settlement = services.settle_department_day(department_code=department.code, day=day)

    journal = settlement.journal_transaction
    assert journal is not None
    assert (journal.scope, journal.key) == ("settlement", f"settle:{department.code}:{day}")
    legs = {e.account.code: e.amount for e in Entry.objects.filter(transaction=journal)}
    assert legs == {
        heads[0].code: -520_00,
        heads[1].code: -250_00,
        f"settlement:{department.code}:bank": 770_00,
    }
    assert sum(legs.values()) == 0
    report = verify_ledger()
    assert report.ok, report.breaches
    assert AuditEntry.objects.filter(action="settlement.settled").count() == 1


def test_running_twice_settles_once(department, day, collected):
    first = services.settle_department_day(department_code=department.code, day=day)
    second = services.settle_department_day(department_code=department.code, day=day)

    assert second.pk == first.pk
    assert Settlement.objects.count() == 1
    assert JournalTransaction.objects.filter(kind="settlement").count() == 1
    assert posted_balance(services.settlement_account(department)) == 770_00


def test_neighbouring_days_are_settled_separately_and_never_twice(
    department, day, heads, collected
):
    services.settle_department_day(department_code=department.code, day=day)
    before = services.settle_department_day(
        department_code=department.code, day=day - timedelta(days=1)
    )
    after = services.settle_department_day(
        department_code=department.code, day=day + timedelta(days=1)
    )

    assert before.total == 111_00 and after.total == 999_00
    assert posted_balance(heads[0]) == 0 and posted_balance(heads[1]) == 0
    assert posted_balance(services.settlement_account(department)) == 111_00 + 770_00 + 999_00
    assert verify_ledger().ok


def test_a_reversal_on_the_day_reduces_what_is_settled(department, day, heads, monkeypatch):
    fees = heads[0]
    with frozen(at(day, 10), monkeypatch):
        payment = collect(fees, 300_00)
        collect(fees, 200_00)
        ledger.reverse(original=payment, scope="test-reversal", key="r1")

    settlement = services.settle_department_day(department_code=department.code, day=day)

    assert settlement.head_totals == {fees.code: 200_00}
    assert verify_ledger().ok


def test_the_file_has_head_totals_then_every_transaction(department, day, heads, collected):
    settlement = services.settle_department_day(department_code=department.code, day=day)

    rows = list(csv.reader(io.StringIO(settlement.file_csv)))
    assert rows[0] == ["Settlement", settlement.number]
    assert rows[1][:2] == ["Department", department.code]
    assert ["Bank", "State Bank of India", "SBIN0000001", "000111222333"] in rows
    header = rows.index(["Revenue head account", "Revenue head", "Amount (INR)"])
    assert rows[header + 1] == [heads[0].code, "Fees", "520.00"]
    assert rows[header + 2] == [heads[1].code, "Stamp duty", "250.00"]
    assert rows[header + 3] == ["Total", "", "770.00"]
    listing = rows.index(
        [
            "Transaction no.",
            "Time (IST)",
            "Kind",
            "Cause",
            "Reference",
            "Revenue head account",
            "Amount (INR)",
        ]
    )
    lines = rows[listing + 1 :]
    assert [line[6] for line in lines] == ["500.00", "250.00", "20.00"]
    assert lines[0][1] == f"{day.isoformat()}T00:00:00+05:30"
    assert services.checksum(settlement.file_csv) == settlement.file_checksum


def test_a_day_without_collections_gets_a_nil_settlement_without_a_journal(department, day):
    settlement = services.settle_department_day(department_code=department.code, day=day)

    assert settlement.total == 0
    assert settlement.journal_transaction is None
    assert "Total,,0.00" in settlement.file_csv
    assert documents.render_pdf(settlement, strict=True).startswith(b"%PDF")


def test_a_day_not_over_is_refused(department):
    today = timezone.now().astimezone(IST).date()

    with pytest.raises(services.DayNotOver):
        services.settle_department_day(department_code=department.code, day=today)
    with pytest.raises(services.UnknownDepartment):
        services.settle_department_day(department_code="nope", day=today - timedelta(days=1))
    assert not Settlement.objects.exists()


def test_the_command_settles_with_progress_and_is_idempotent(department, day, collected):
    out = io.StringIO()
    call_command("settle", "--day", day.isoformat(), "--department", department.code, stdout=out)
    call_command("settle", "--day", day.isoformat(), stdout=out)

    text = out.getvalue()
    assert f"[1/1] {department.code}: STL-" in text
    assert "₹770.00" in text
    assert Settlement.objects.count() == 1


def test_the_daily_job_settles_yesterday_after_one_in_the_morning(
    department, heads, monkeypatch, settings
):
    settings.PAYMENT_GATEWAY_URL = "http://127.0.0.1:9"  # unreachable: reconciliation waits
    today = timezone.now().astimezone(IST).date()
    yesterday = today - timedelta(days=1)
    with frozen(at(yesterday, 9), monkeypatch):
        collect(heads[0], 42_00)

    early = services.run_daily(now=at(today, 0, 30))
    assert early.settled == [] and not Settlement.objects.exists()

    result = services.run_daily(now=at(today, 1, 5))
    mine = [s for s in result.settled if s.department_id == department.pk]
    assert [s.total for s in mine] == [42_00]
    assert not result.reconciled
    again = services.run_daily(now=at(today, 1, 15))
    assert again.settled == []
    assert "settlement.daily" in JOBS
