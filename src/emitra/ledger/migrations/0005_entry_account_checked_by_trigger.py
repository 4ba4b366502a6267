"""Entries check their accounts per INSERT statement instead of per row (bulk postings).

The per-row foreign key from entry to account cost one query per entry. Instead the entry
trigger checks every account of an INSERT at once, and accounts can never be deleted. On
SQLite, altering the column rebuilds the table, which drops its triggers: they are created
again here, with the account check added. On PostgreSQL the balance check of transaction
rows also becomes one statement-level trigger. Reversing keeps the (equivalent) new checks.
"""

import django.db.models.deletion
from django.db import migrations, models

from emitra.core.guards import drop_append_only, sqlite_append_only

SQLITE_ENTRY = [
    *drop_append_only("sqlite", "ledger_entry"),
    "DROP TRIGGER IF EXISTS ledger_entry_sealed",
    "DROP TRIGGER IF EXISTS ledger_entry_moves_balance",
    "DROP TRIGGER IF EXISTS ledger_entry_account_exists",
    *sqlite_append_only("ledger_entry"),
    """CREATE TRIGGER ledger_entry_sealed BEFORE INSERT ON ledger_entry
       WHEN EXISTS (SELECT 1 FROM ledger_journaltransaction WHERE id = NEW.transaction_id)
       BEGIN SELECT RAISE(ABORT, 'ledger: entries cannot be added to a written transaction'); END""",
    """CREATE TRIGGER ledger_entry_account_exists BEFORE INSERT ON ledger_entry
       WHEN NOT EXISTS (SELECT 1 FROM ledger_account WHERE id = NEW.account_id)
       BEGIN SELECT RAISE(ABORT, 'ledger: unknown account'); END""",
    """CREATE TRIGGER ledger_entry_moves_balance AFTER INSERT ON ledger_entry
       BEGIN UPDATE ledger_account SET balance = balance + NEW.amount
             WHERE id = NEW.account_id AND floor IS NOT NULL; END""",
    """CREATE TRIGGER ledger_txn_balanced BEFORE INSERT ON ledger_journaltransaction
       WHEN (SELECT count(*) FROM ledger_entry WHERE transaction_id = NEW.id) < 2
         OR (SELECT coalesce(sum(amount), 0) FROM ledger_entry WHERE transaction_id = NEW.id) <> 0
       BEGIN SELECT RAISE(ABORT, 'ledger: unbalanced transaction'); END""",
    "DROP TRIGGER IF EXISTS ledger_account_no_delete",
    """CREATE TRIGGER ledger_account_no_delete BEFORE DELETE ON ledger_account
       BEGIN SELECT RAISE(ABORT, 'ledger accounts are never deleted; close them instead')
             WHERE emitra_maintenance() = 0; END""",
]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION ledger_entries_after_insert() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM new_entries n
                      JOIN ledger_journaltransaction t ON t.id = n.transaction_id) THEN
           RAISE EXCEPTION 'ledger: entries cannot be added to a written transaction'
             USING ERRCODE = 'check_violation';
         END IF;
         IF EXISTS (SELECT 1 FROM new_entries n
                      LEFT JOIN ledger_account a ON a.id = n.account_id WHERE a.id IS NULL) THEN
           RAISE EXCEPTION 'ledger: unknown account' USING ERRCODE = 'foreign_key_violation';
         END IF;
         UPDATE ledger_account a SET balance = a.balance + d.net
           FROM (SELECT account_id, sum(amount) AS net FROM new_entries GROUP BY account_id) d
          WHERE a.id = d.account_id AND a.floor IS NOT NULL;
         RETURN NULL;
       END $$""",
    """CREATE OR REPLACE FUNCTION ledger_account_refuse_delete() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         IF coalesce(current_setting('emitra.maintenance', true), '') = 'on' THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION 'ledger accounts are never deleted; close them instead'
           USING ERRCODE = 'check_violation';
       END $$""",
    """CREATE TRIGGER ledger_account_no_delete BEFORE DELETE ON ledger_account
       FOR EACH ROW EXECUTE FUNCTION ledger_account_refuse_delete()""",
]
# One balance check per INSERT of transaction rows (a batch writes 100 at once), not per row.
POSTGRES += [
    "DROP TRIGGER IF EXISTS ledger_txn_balanced ON ledger_journaltransaction",
    """CREATE OR REPLACE FUNCTION ledger_txns_after_insert() RETURNS trigger
       LANGUAGE plpgsql AS $$
       DECLARE bad record;
       BEGIN
         SELECT t.id, x.legs, x.total INTO bad
           FROM new_txns t
           CROSS JOIN LATERAL (SELECT count(*) AS legs, coalesce(sum(e.amount), 0) AS total
                                 FROM ledger_entry e WHERE e.transaction_id = t.id) x
          WHERE x.legs < 2 OR x.total <> 0
          LIMIT 1;
         IF FOUND THEN
           RAISE EXCEPTION 'ledger: unbalanced transaction % (% legs, sum %)',
             bad.id, bad.legs, bad.total USING ERRCODE = 'check_violation';
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER ledger_txn_balanced AFTER INSERT ON ledger_journaltransaction
       REFERENCING NEW TABLE AS new_txns
       FOR EACH STATEMENT EXECUTE FUNCTION ledger_txns_after_insert()""",
    "DROP FUNCTION IF EXISTS ledger_txn_before_insert()",
]

POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS ledger_account_no_delete ON ledger_account",
    "DROP FUNCTION IF EXISTS ledger_account_refuse_delete()",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_ENTRY if vendor == "sqlite" else POSTGRES:
        schema_editor.execute(sql, params=None)


def drop_sqlite_references(apps, schema_editor):
    """SQLite rebuilds ledger_entry for the AlterField; a trigger on another table that names
    it would break the rename, so it is dropped first and created again afterwards."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_txn_balanced", params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_DROP:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_postgres_batch")]

    operations = [
        migrations.RunPython(drop_sqlite_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="entry",
            name="account",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entries",
                to="ledger.account",
            ),
        ),
        migrations.RunPython(create, drop),
    ]
