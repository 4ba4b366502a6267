from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from emitra.core.guards import maintenance


def test_verify_passes_on_a_sound_ledger(wallet, fund):
    fund(wallet, 100_00)
    out = StringIO()
    call_command("ledger", "verify", stdout=out)
    assert "every invariant holds" in out.getvalue()


def test_verify_finds_a_balance_that_does_not_match_its_entries(wallet, fund):
    fund(wallet, 100_00)
    with connection.cursor() as cursor:  # the balance row is not guarded against raising it
        cursor.execute("UPDATE ledger_account SET balance = balance + 1 WHERE id = %s", [wallet.pk])
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("ledger", "verify", stdout=out)
    assert "entries sum to 10000" in out.getvalue()


def test_verify_finds_a_deleted_leg(wallet, fund):
    txn = fund(wallet, 100_00)
    with maintenance(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM ledger_entry WHERE transaction_id = %s AND account_id = %s",
            [txn.pk, wallet.pk],
        )
    with pytest.raises(CommandError):
        call_command("ledger", "verify", stdout=StringIO())
