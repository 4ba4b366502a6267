"""The PostgreSQL hot path calls libpq directly (ledger/postgres.py). These tests pin what that
must not change: transactions, refusals, and when psycopg's cursor is used instead."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from emitra.ledger import postgres, selectors, services
from emitra.ledger.errors import InsufficientFunds, KeyReused
from emitra.ledger.models import AccountKind, Hold
from emitra.ledger.services import Leg

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _hold(wallet, key: str, amount: int = 100_00) -> Hold:
    return services.hold(
        account=wallet, amount=amount, scope="direct", key=key, expires_in=timedelta(minutes=5)
    )


def _times():
    now = timezone.now()
    return now, now + timedelta(minutes=5)


def test_a_hold_inside_a_rolled_back_atomic_block_leaves_nothing(wallet, fund):
    fund(wallet, 500_00)
    with pytest.raises(RuntimeError), transaction.atomic():
        _hold(wallet, "inside")  # the block's first statement: psycopg has not begun yet
        raise RuntimeError("the caller's later work failed")
    assert not Hold.objects.filter(key="inside").exists()
    assert selectors.available_balance(wallet) == 500_00


def test_the_first_call_in_an_open_atomic_block_without_a_savepoint_joins_it(wallet, fund):
    fund(wallet, 500_00)
    with pytest.raises(RuntimeError), transaction.atomic():
        postgres.call(
            "ledger_hold",
            [wallet.pk, 100_00, "direct", "no-savepoint", "h", *_times(), "", ""],
            savepoint=False,
        )
        raise RuntimeError("rolled back")
    assert not Hold.objects.filter(key="no-savepoint").exists()


def test_refusals_keep_their_meaning_and_leave_the_transaction_usable(wallet, fund, gateway):
    fund(wallet, 50_00)
    with transaction.atomic():
        with pytest.raises(InsufficientFunds):
            _hold(wallet, "too-much", amount=60_00)
        held = _hold(wallet, "enough", amount=40_00)  # the refusal rolled back its savepoint
    assert held.pk and Hold.objects.get(key="enough").amount == 40_00
    with pytest.raises(KeyReused):
        _hold(wallet, "enough", amount=41_00)
    assert _hold(wallet, "enough", amount=40_00).pk == held.pk  # a replay, not a new hold


def test_a_key_holding_a_nul_character_is_refused_and_writes_nothing(wallet, fund):
    fund(wallet, 50_00)
    assert postgres._encode("ledger_hold", [1, 1, "s", "a\x00b", "h", *_times(), "", ""]) is None
    with pytest.raises(DatabaseError):
        _hold(wallet, "bad\x00key")
    assert not Hold.objects.filter(scope="direct").exists()


def test_each_function_is_prepared_once_per_connection(wallet, fund, open_account):
    fund(wallet, 500_00)
    biller = open_account(AccountKind.BILLER_CLEARING)
    for n in range(3):
        held = _hold(wallet, f"h{n}")
        services.post_hold(
            hold=held, legs=[Leg(wallet, biller, 100_00)], scope="direct", key=f"p{n}"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM pg_prepared_statements WHERE name LIKE 'emitra_ledger_%%' "
            "ORDER BY name"
        )
        names = [row[0] for row in cursor.fetchall()]
    assert names == ["emitra_ledger_hold", "emitra_ledger_post_hold", "emitra_ledger_transfer"]
    assert selectors.posted_balance(biller) == 300_00
