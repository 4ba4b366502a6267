"""Two counters paying out the same voucher at the same moment: one pays, one is refused
(PostgreSQL, threads)."""

from __future__ import annotations

import pytest

from conftest import give_kiosk
from emitra.accounts.roles import Role
from emitra.ledger.models import JournalTransaction
from emitra.ledger.tests.test_concurrency import run_threads
from emitra.ledger.verify import verify_ledger
from emitra.machines import services

from .test_voucher_payout import a_voucher

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_counters_paying_out_one_voucher_at_once_pay_it_once(
    make_user, machine, devices, jvvnl
):
    voucher = a_voucher(machine, devices, jvvnl)
    operators = [make_user(Role.OPERATOR, full_name=f"Counter {i}") for i in range(4)]
    for operator in operators:
        give_kiosk(operator)

    outcomes = run_threads(
        4,
        lambda i: services.pay_out_voucher(operator=operators[i], code=voucher.code).number,
    )

    assert sorted(map(str, outcomes)) == sorted(
        ["machines.voucher_redeemed"] * 3 + [voucher.number]
    )
    assert JournalTransaction.objects.filter(kind="machine_voucher_payout").count() == 1
    report = verify_ledger()
    assert report.ok, report.breaches
