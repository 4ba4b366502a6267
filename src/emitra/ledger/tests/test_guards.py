"""Each ledger rule is also enforced by the database when application code is bypassed."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from emitra.ledger import services
from emitra.ledger.models import Account, Entry, Hold, JournalTransaction

NOW = "2026-11-28 10:00:00+00:00"


def raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def insert_entry(txn_id: int, account_id: int, amount: int) -> None:
    raw(
        "INSERT INTO ledger_entry (transaction_id, account_id, amount, created_at) "
        "VALUES (%s, %s, %s, %s)",
        [txn_id, account_id, amount, NOW],
    )


def insert_entries(txn_id: int, *legs: tuple[int, int]) -> None:
    """Several entries of one transaction in one INSERT, as the ledger writes them."""
    columns = "transaction_id, account_id, amount, created_at"
    values = ", ".join(["(%s, %s, %s, %s)"] * len(legs))
    raw(
        f"INSERT INTO ledger_entry ({columns}) VALUES {values}",  # noqa: S608 - placeholders
        [value for account_id, amount in legs for value in (txn_id, account_id, amount, NOW)],
    )


def insert_header(txn_id: int, key: str = "raw", reverses_id: int | None = None) -> None:
    raw(
        "INSERT INTO ledger_journaltransaction (id, kind, scope, key, request_hash, cause_type, "
        "cause_id, memo, created_at, reverses_id) VALUES (%s, 'raw', 'raw', %s, '', '', '', '', "
        "%s, %s)",
        [txn_id, key, NOW, reverses_id],
    )


def write_raw(txn_id: int, *legs: tuple[int, int], reverses_id: int | None = None) -> None:
    """A transaction written by hand in the order its database checks: on PostgreSQL the row
    first, then its entries (migration 0008); on SQLite the entries, then the row."""
    if connection.vendor == "postgresql":
        insert_header(txn_id, reverses_id=reverses_id)
        insert_entries(txn_id, *legs)
    else:
        insert_entries(txn_id, *legs)
        insert_header(txn_id, reverses_id=reverses_id)


def refused(fn, *args) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        fn(*args)


def test_an_unbalanced_transaction_is_refused(wallet, gateway):
    refused(write_raw, 9001, (gateway.pk, -100), (wallet.pk, 99))
    assert not Entry.objects.exists()


def test_a_single_leg_transaction_is_refused(gateway):
    refused(write_raw, 9002, (gateway.pk, 100))


def test_a_balanced_raw_transaction_is_accepted(wallet, gateway):
    with transaction.atomic():
        write_raw(9003, (gateway.pk, -100), (wallet.pk, 100))
    wallet.refresh_from_db()
    assert wallet.balance == 100  # the entry trigger moved the wallet's balance row


def test_entries_cannot_be_added_to_a_written_transaction(wallet, gateway, fund):
    txn = fund(wallet, 100)  # written earlier in this (test's) database transaction
    with pytest.raises(DatabaseError, match="written transaction"), transaction.atomic():
        insert_entries(txn.pk, (wallet.pk, 5), (gateway.pk, -5))  # balanced, still refused
    assert Entry.objects.filter(transaction=txn).count() == 2


@pytest.mark.django_db(transaction=True)
def test_entries_cannot_be_added_to_a_committed_transaction(open_account):
    wallet = open_account("kiosk_wallet")
    gateway = open_account("gateway_clearing")
    txn = services.transfer(
        legs=[services.Leg(gateway, wallet, 100)], kind="topup", scope="t", key="committed"
    )
    with pytest.raises(DatabaseError, match="written transaction"), transaction.atomic():
        insert_entries(txn.pk, (wallet.pk, 5), (gateway.pk, -5))
    assert Entry.objects.filter(transaction=txn).count() == 2
    assert Account.objects.get(pk=wallet.pk).balance == 100


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_entry SET amount = amount * 2",
        "DELETE FROM ledger_entry",
        "UPDATE ledger_journaltransaction SET kind = 'forged'",
        "DELETE FROM ledger_journaltransaction",
    ],
)
def test_entries_and_transactions_cannot_be_changed_or_deleted(wallet, fund, sql):
    fund(wallet, 100)
    refused(raw, sql, [])
    assert Entry.objects.count() == 2


def test_a_zero_amount_entry_is_refused(wallet, gateway):
    refused(insert_entry, 9004, wallet.pk, 0)


def test_a_wallet_cannot_go_below_its_floor_even_by_raw_sql(wallet, gateway, fund):
    fund(wallet, 100)

    refused(write_raw, 9005, (wallet.pk, -101), (gateway.pk, 101))
    wallet.refresh_from_db()
    assert wallet.balance == 100


def test_held_money_counts_against_the_floor_in_the_database(wallet, fund):
    fund(wallet, 100)
    services.hold(account=wallet, amount=80, scope="t", key="h", expires_in=timedelta(minutes=5))
    refused(raw, "UPDATE ledger_account SET balance = 79 WHERE id = %s", [wallet.pk])


def test_a_hold_is_resolved_at_most_once_even_by_raw_sql(wallet, fund):
    fund(wallet, 100)
    held = services.hold(
        account=wallet, amount=50, scope="t", key="h", expires_in=timedelta(minutes=5)
    )
    services.void_hold(hold=held)
    refused(raw, "UPDATE ledger_hold SET state = 'posted' WHERE id = %s", [held.pk])
    refused(raw, "DELETE FROM ledger_hold WHERE id = %s", [held.pk])
    assert Hold.objects.get(pk=held.pk).state == "voided"


def test_a_hold_must_be_positive(wallet):
    refused(
        raw,
        "INSERT INTO ledger_hold (account_id, amount, state, expires_at, scope, key, request_hash, "
        "posted_amount, cause_type, cause_id, created_at) "
        "VALUES (%s, 0, 'open', %s, 't', 'zero', '', 0, '', '', %s)",
        [wallet.pk, NOW, NOW],
    )


@pytest.mark.django_db(transaction=True)
def test_entries_whose_transaction_never_comes_never_commit(open_account):
    wallet = open_account("kiosk_wallet")
    gateway = open_account("gateway_clearing")
    # SQLite: the deferred foreign key, at COMMIT; PostgreSQL: the entry trigger, at once.
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_entries(9006, (gateway.pk, -100), (wallet.pk, 100))
    assert not Entry.objects.exists()
    assert Account.objects.get(pk=wallet.pk).balance == 0


@pytest.mark.django_db(transaction=True)
def test_a_transaction_without_entries_never_commits(open_account):
    # PostgreSQL: the deferred constraint trigger, at COMMIT; SQLite: the insert trigger.
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_header(9008)
    assert not JournalTransaction.objects.exists()


def test_the_orm_cannot_delete_a_hold_either(wallet, fund):
    fund(wallet, 100)
    held = services.hold(
        account=wallet, amount=10, scope="t", key="h", expires_in=timedelta(minutes=5)
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        Hold.objects.filter(pk=held.pk).delete()
    assert timezone.now()


def test_an_entry_on_an_unknown_account_is_refused(wallet, gateway):
    refused(write_raw, 9007, (gateway.pk, -100), (987654, 100))


def test_accounts_are_never_deleted(wallet):
    refused(raw, "DELETE FROM ledger_account WHERE id = %s", [wallet.pk])


def insert_hold(account_id: int, key: str, resolved_by_id: int | None = None) -> None:
    raw(
        "INSERT INTO ledger_hold (account_id, amount, state, expires_at, scope, key, request_hash, "
        "posted_amount, cause_type, cause_id, created_at, resolved_by_id) "
        "VALUES (%s, 10, 'open', %s, 't', %s, '', 0, '', '', %s, %s)",
        [account_id, NOW, key, NOW, resolved_by_id],
    )


UNKNOWN_TXN = 987654


@pytest.mark.django_db(transaction=True)
def test_a_hold_cannot_be_resolved_by_an_unknown_transaction(open_account):
    # SQLite: the deferred foreign key, at COMMIT; PostgreSQL: the hold trigger, at once.
    wallet = open_account("kiosk_wallet")
    gateway = open_account("gateway_clearing")
    services.transfer(legs=[services.Leg(gateway, wallet, 100)], kind="t", scope="t", key="f")
    held = services.hold(
        account=wallet, amount=50, scope="t", key="h", expires_in=timedelta(minutes=5)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        raw("UPDATE ledger_hold SET resolved_by_id = %s WHERE id = %s", [UNKNOWN_TXN, held.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_hold(wallet.pk, "resolved-raw", resolved_by_id=UNKNOWN_TXN)
    assert Hold.objects.get(pk=held.pk).resolved_by_id is None
    assert not Hold.objects.filter(key="resolved-raw").exists()


@pytest.mark.django_db(transaction=True)
def test_a_reversal_of_an_unknown_transaction_never_commits(open_account):
    # Balanced and otherwise valid; SQLite: the deferred foreign key, PostgreSQL: the trigger.
    wallet = open_account("kiosk_wallet")
    gateway = open_account("gateway_clearing")
    with pytest.raises(IntegrityError), transaction.atomic():
        write_raw(9009, (gateway.pk, -100), (wallet.pk, 100), reverses_id=UNKNOWN_TXN)
    assert not JournalTransaction.objects.exists()
    assert Account.objects.get(pk=wallet.pk).balance == 0


def test_a_raw_reversal_of_a_written_transaction_is_accepted(wallet, gateway, fund):
    original = fund(wallet, 100)
    with transaction.atomic():
        write_raw(9010, (wallet.pk, -100), (gateway.pk, 100), reverses_id=original.pk)
    assert JournalTransaction.objects.get(pk=9010).reverses == original


def test_a_transaction_is_reversed_at_most_once_even_by_raw_sql(wallet, gateway, fund):
    original = fund(wallet, 100)
    services.reverse(original=original, scope="t", key="undo")
    with pytest.raises(IntegrityError), transaction.atomic():
        write_raw(9011, (wallet.pk, -100), (gateway.pk, 100), reverses_id=original.pk)


@pytest.mark.postgres
def test_postgres_refuses_unknown_links_when_written_not_at_commit(wallet, gateway, fund):
    """The triggers that replace the deferred foreign keys (migration 0009) fire at once."""
    fund(wallet, 100)
    held = services.hold(
        account=wallet, amount=50, scope="t", key="h", expires_in=timedelta(minutes=5)
    )
    with pytest.raises(IntegrityError, match="unknown transaction"), transaction.atomic():
        raw("UPDATE ledger_hold SET resolved_by_id = %s WHERE id = %s", [UNKNOWN_TXN, held.pk])
    with pytest.raises(IntegrityError, match="unknown transaction"), transaction.atomic():
        insert_hold(wallet.pk, "resolved-raw", resolved_by_id=UNKNOWN_TXN)
    with pytest.raises(IntegrityError, match="unknown transaction"), transaction.atomic():
        insert_header(9012, reverses_id=UNKNOWN_TXN)
