"""The database defends the ledger rules by itself, on SQLite and on PostgreSQL.

- entries, journal transactions: append-only (UPDATE/DELETE refused);
- a transaction row is inserted after its entries, and only if they are ≥ 2 and sum to zero
  (one currency per transaction is checked by the services: every account is INR today); no entry may be added to a transaction once its row exists; an entry
  whose transaction row never comes fails the deferred foreign key at COMMIT;
- every entry on a limited account moves its balance row, whose CHECK keeps it above the floor;
- a hold leaves the `open` state at most once, and is never deleted.
"""

from django.db import migrations

from emitra.core.guards import drop_append_only, postgres_append_only, sqlite_append_only

APPEND_ONLY = ["ledger_entry", "ledger_journaltransaction"]

SQLITE = [
    *[sql for table in APPEND_ONLY for sql in sqlite_append_only(table)],
    """CREATE TRIGGER ledger_entry_sealed BEFORE INSERT ON ledger_entry
       WHEN EXISTS (SELECT 1 FROM ledger_journaltransaction WHERE id = NEW.transaction_id)
       BEGIN SELECT RAISE(ABORT, 'ledger: entries cannot be added to a written transaction'); END""",
    """CREATE TRIGGER ledger_entry_moves_balance AFTER INSERT ON ledger_entry
       BEGIN UPDATE ledger_account SET balance = balance + NEW.amount
             WHERE id = NEW.account_id AND floor IS NOT NULL; END""",
    """CREATE TRIGGER ledger_txn_balanced BEFORE INSERT ON ledger_journaltransaction
       WHEN (SELECT count(*) FROM ledger_entry WHERE transaction_id = NEW.id) < 2
         OR (SELECT coalesce(sum(amount), 0) FROM ledger_entry WHERE transaction_id = NEW.id) <> 0
       BEGIN SELECT RAISE(ABORT, 'ledger: unbalanced transaction'); END""",
    """CREATE TRIGGER ledger_hold_resolved_once BEFORE UPDATE ON ledger_hold
       WHEN OLD.state <> 'open'
       BEGIN SELECT RAISE(ABORT, 'ledger: hold already resolved'); END""",
    """CREATE TRIGGER ledger_hold_no_delete BEFORE DELETE ON ledger_hold
       BEGIN SELECT RAISE(ABORT, 'ledger_hold is append-only') WHERE emitra_maintenance() = 0;
       END""",
]
SQLITE_DROP = [
    *[sql for table in APPEND_ONLY for sql in drop_append_only("sqlite", table)],
    "DROP TRIGGER IF EXISTS ledger_entry_sealed",
    "DROP TRIGGER IF EXISTS ledger_entry_moves_balance",
    "DROP TRIGGER IF EXISTS ledger_txn_balanced",
    "DROP TRIGGER IF EXISTS ledger_hold_resolved_once",
    "DROP TRIGGER IF EXISTS ledger_hold_no_delete",
]

POSTGRES = [
    "CREATE SEQUENCE IF NOT EXISTS ledger_txn_id_seq",
    *[sql for table in APPEND_ONLY for sql in postgres_append_only(table)],
    """CREATE TRIGGER ledger_hold_no_delete BEFORE DELETE ON ledger_hold
       FOR EACH ROW EXECUTE FUNCTION emitra_refuse_change()""",
    # One statement-level trigger per INSERT (not one call per entry): refuse entries for a
    # written transaction, then move each limited account's balance by its net change; the
    # account's CHECK refuses a balance below the floor.
    """CREATE OR REPLACE FUNCTION ledger_entries_after_insert() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM new_entries n
                      JOIN ledger_journaltransaction t ON t.id = n.transaction_id) THEN
           RAISE EXCEPTION 'ledger: entries cannot be added to a written transaction'
             USING ERRCODE = 'check_violation';
         END IF;
         UPDATE ledger_account a SET balance = a.balance + d.net
           FROM (SELECT account_id, sum(amount) AS net FROM new_entries GROUP BY account_id) d
          WHERE a.id = d.account_id AND a.floor IS NOT NULL;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER ledger_entry_insert AFTER INSERT ON ledger_entry
       REFERENCING NEW TABLE AS new_entries
       FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_after_insert()""",
    """CREATE OR REPLACE FUNCTION ledger_txn_before_insert() RETURNS trigger
       LANGUAGE plpgsql AS $$
       DECLARE legs int; total bigint;
       BEGIN
         SELECT count(*), coalesce(sum(e.amount), 0) INTO legs, total
           FROM ledger_entry e WHERE e.transaction_id = NEW.id;
         IF legs < 2 OR total <> 0 THEN
           RAISE EXCEPTION 'ledger: unbalanced transaction % (% legs, sum %)', NEW.id, legs, total
             USING ERRCODE = 'check_violation';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER ledger_txn_balanced BEFORE INSERT ON ledger_journaltransaction
       FOR EACH ROW EXECUTE FUNCTION ledger_txn_before_insert()""",
    """CREATE OR REPLACE FUNCTION ledger_hold_before_update() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         IF OLD.state <> 'open' THEN
           RAISE EXCEPTION 'ledger: hold % already resolved', OLD.id
             USING ERRCODE = 'check_violation';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER ledger_hold_resolved_once BEFORE UPDATE ON ledger_hold
       FOR EACH ROW EXECUTE FUNCTION ledger_hold_before_update()""",
]
POSTGRES_DROP = [
    *[sql for table in APPEND_ONLY for sql in drop_append_only("postgresql", table)],
    "DROP TRIGGER IF EXISTS ledger_hold_no_delete ON ledger_hold",
    "DROP TRIGGER IF EXISTS ledger_entry_insert ON ledger_entry",
    "DROP TRIGGER IF EXISTS ledger_txn_balanced ON ledger_journaltransaction",
    "DROP TRIGGER IF EXISTS ledger_hold_resolved_once ON ledger_hold",
    "DROP FUNCTION IF EXISTS ledger_entries_after_insert()",
    "DROP FUNCTION IF EXISTS ledger_txn_before_insert()",
    "DROP FUNCTION IF EXISTS ledger_hold_before_update()",
    "DROP SEQUENCE IF EXISTS ledger_txn_id_seq",
]


def _run(by_vendor):
    def run(apps, schema_editor):
        for sql in by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial"), ("core", "0002_audit_append_only")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
