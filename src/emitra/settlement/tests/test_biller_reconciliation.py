"""A biller's daily report compared with what we credited to its clearing account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from emitra.core.timeutil import IST
from emitra.ledger import chart
from emitra.ledger import services as ledger
from emitra.settlement import services
from emitra.settlement.models import Mismatch, MismatchKind, MismatchState, Source
from emitra.settlement.tests.helpers import collect

pytestmark = pytest.mark.django_db


def today():
    return timezone.now().astimezone(IST).date()


@pytest.fixture
def biller():
    return chart.biller_clearing(biller="jvvnl", name="Jaipur Vidyut Vitran Nigam")


def paid(biller, cause_id, amount):
    return collect(biller, amount, cause_id=cause_id, target=biller)


def test_every_kind_of_biller_mismatch_is_found(biller):
    paid(biller, "PAY-1", 1_000_00)
    paid(biller, "PAY-2", 2_000_00)
    paid(biller, "PAY-4", 400_00)
    paid(biller, "PAY-5", 500_00)
    paid(biller, "PAY-6", 600_00)
    reversed_payment = paid(biller, "PAY-7", 700_00)
    ledger.reverse(original=reversed_payment, scope="test-reversal", key="pay-7")
    report = "\n".join(
        [
            "reference,amount,status",
            "PAY-1,1000.00,success",  # agrees
            "PAY-2,1999.00,success",  # amount differs
            "PAY-3,300.00,success",  # the biller has it, we do not
            "PAY-5,500.00,failed",  # we credited, the biller failed it
            "PAY-6,600.00,success",
            "PAY-6,600.00,success",  # reported twice
            "",
        ]
    )  # PAY-4: we credited, the biller does not report it; PAY-7 was reversed the same day

    result = services.import_biller_report("jvvnl", today(), report)

    found = sorted(
        (m.reference, m.kind, m.ours, m.theirs) for m in Mismatch.objects.filter(partner="jvvnl")
    )
    assert found == [
        ("PAY-2", MismatchKind.AMOUNT, 2_000_00, 1_999_00),
        ("PAY-3", MismatchKind.MISSING_OURS, None, 300_00),
        ("PAY-4", MismatchKind.MISSING_THEIRS, 400_00, None),
        ("PAY-5", MismatchKind.FAILED_THEIRS, 500_00, 500_00),
        ("PAY-6", MismatchKind.DUPLICATE, 600_00, 600_00),
    ]
    assert {m.source for m in Mismatch.objects.all()} == {Source.BILLER}
    assert result.run.rows == 6 and result.opened == 5


def test_a_matching_report_flags_nothing_and_other_billers_and_days_are_ignored(biller):
    paid(biller, "PAY-1", 1_000_00)
    other = chart.biller_clearing(biller="phed")
    paid(other, "PAY-9", 90_00)

    result = services.import_biller_report(
        "jvvnl", today(), "reference,amount,status\nPAY-1,1000.00,success\n"
    )
    yesterday = services.import_biller_report(
        "jvvnl", today() - timedelta(days=1), "reference,amount,status\n"
    )

    assert result.findings == [] and yesterday.findings == []
    assert not Mismatch.objects.exists()


def test_importing_the_same_report_again_adds_nothing(biller):
    paid(biller, "PAY-4", 400_00)
    services.import_biller_report("jvvnl", today(), "reference,amount,status\n")
    again = services.import_biller_report("jvvnl", today(), "reference,amount,status\n")

    assert again.opened == 0 and again.closed == 0
    assert Mismatch.objects.filter(state=MismatchState.OPEN).count() == 1
