"""PostgreSQL: a hold's resolving transaction and a reversal's original are checked by triggers
instead of deferred foreign keys (SQLite is unchanged).

Each deferred foreign key queues an event per written row and runs it at COMMIT: posting a hold
paid one locking referential-integrity query for `Hold.resolved_by`, and every journal row an
event for `JournalTransaction.reverses` (almost always NULL). On PostgreSQL now:

- the existing BEFORE UPDATE trigger on holds (`ledger_hold_before_update`, which already runs
  on every update: a hold leaves `open` once) also refuses a `resolved_by_id` that names no
  journal transaction — one primary-key probe, no row lock;
- a BEFORE INSERT trigger on holds does the same, firing only `WHEN (NEW.resolved_by_id IS NOT
  NULL)` (the ledger never inserts a resolved hold, so it fires for nothing on the hot path);
- a BEFORE INSERT trigger on journal rows refuses a `reverses_id` that names no journal
  transaction, firing only `WHEN (NEW.reverses_id IS NOT NULL)` (reversals only).

No lock is needed on the referenced row because journal rows are never changed or deleted
(UPDATE, DELETE and TRUNCATE refused since migration 0002, except under `maintenance()`, which
`flush` uses to empty every table at once). The check runs when the row is written, not at
COMMIT, so it sees only transactions written before it (the ledger always writes the journal
row first) and a transaction cannot reverse itself. The unique indexes (one hold per resolving
transaction, one reversal per transaction) stay as they are.

The model fields keep their foreign keys for the ORM with `db_constraint=False`; only
PostgreSQL's constraints are dropped: SQLite keeps its real (deferred) foreign keys from 0001.
DESIGN.md §4's rules are unchanged. Reversing restores both foreign keys (under Django's
original names) and the previous hold trigger function.
"""

import importlib

from django.db import migrations, models

guards = importlib.import_module("emitra.ledger.migrations.0002_guards")

HOLD_FK = "ledger_hold_resolved_by_id_811bde83_fk_ledger_jo"
REVERSES_FK = "ledger_journaltransa_reverses_id_279cdf8f_fk_ledger_jo"

# The foreign keys of these columns, whatever their name.
DROP_FOREIGN_KEYS = """
DO $$
DECLARE c record;
BEGIN
  FOR c IN SELECT con.conrelid::regclass AS tbl, con.conname FROM pg_constraint con
             JOIN pg_attribute att
               ON att.attrelid = con.conrelid AND att.attnum = ANY(con.conkey)
            WHERE con.contype = 'f'
              AND con.confrelid = 'ledger_journaltransaction'::regclass
              AND ((con.conrelid = 'ledger_hold'::regclass AND att.attname = 'resolved_by_id')
                OR (con.conrelid = 'ledger_journaltransaction'::regclass
                    AND att.attname = 'reverses_id'))
  LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', c.tbl, c.conname);
  END LOOP;
END $$"""

ADD_FOREIGN_KEYS = [
    f"""ALTER TABLE ledger_hold ADD CONSTRAINT {HOLD_FK}
        FOREIGN KEY (resolved_by_id) REFERENCES ledger_journaltransaction (id)
        DEFERRABLE INITIALLY DEFERRED""",
    f"""ALTER TABLE ledger_journaltransaction ADD CONSTRAINT {REVERSES_FK}
        FOREIGN KEY (reverses_id) REFERENCES ledger_journaltransaction (id)
        DEFERRABLE INITIALLY DEFERRED""",
]

HOLD_BEFORE_UPDATE = """
CREATE OR REPLACE FUNCTION ledger_hold_before_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state <> 'open' THEN
    RAISE EXCEPTION 'ledger: hold % already resolved', OLD.id
      USING ERRCODE = 'check_violation';
  END IF;
  -- In place of the foreign key: journal rows are never deleted, so no lock is needed.
  IF NEW.resolved_by_id IS NOT NULL AND NOT EXISTS (
       SELECT 1 FROM ledger_journaltransaction t WHERE t.id = NEW.resolved_by_id) THEN
    RAISE EXCEPTION 'ledger: hold % resolved by unknown transaction %', NEW.id,
      NEW.resolved_by_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NEW;
END $$"""

LINK_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION ledger_hold_resolved_by_exists() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         IF NOT EXISTS (SELECT 1 FROM ledger_journaltransaction t
                         WHERE t.id = NEW.resolved_by_id) THEN
           RAISE EXCEPTION 'ledger: hold resolved by unknown transaction %', NEW.resolved_by_id
             USING ERRCODE = 'foreign_key_violation';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER ledger_hold_resolved_by_exists BEFORE INSERT ON ledger_hold
       FOR EACH ROW WHEN (NEW.resolved_by_id IS NOT NULL)
       EXECUTE FUNCTION ledger_hold_resolved_by_exists()""",
    """CREATE OR REPLACE FUNCTION ledger_txn_reverses_exists() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         IF NOT EXISTS (SELECT 1 FROM ledger_journaltransaction t
                         WHERE t.id = NEW.reverses_id) THEN
           RAISE EXCEPTION 'ledger: reversal of unknown transaction %', NEW.reverses_id
             USING ERRCODE = 'foreign_key_violation';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER ledger_txn_reverses_exists BEFORE INSERT ON ledger_journaltransaction
       FOR EACH ROW WHEN (NEW.reverses_id IS NOT NULL)
       EXECUTE FUNCTION ledger_txn_reverses_exists()""",
]

DROP_LINK_TRIGGERS = [
    "DROP TRIGGER IF EXISTS ledger_hold_resolved_by_exists ON ledger_hold",
    "DROP FUNCTION IF EXISTS ledger_hold_resolved_by_exists()",
    "DROP TRIGGER IF EXISTS ledger_txn_reverses_exists ON ledger_journaltransaction",
    "DROP FUNCTION IF EXISTS ledger_txn_reverses_exists()",
]

PREVIOUS_HOLD_BEFORE_UPDATE = next(
    sql for sql in guards.POSTGRES if "FUNCTION ledger_hold_before_update()" in sql
)

FORWARD = [DROP_FOREIGN_KEYS, HOLD_BEFORE_UPDATE, *LINK_TRIGGERS]
BACKWARD = [*DROP_LINK_TRIGGERS, PREVIOUS_HOLD_BEFORE_UPDATE, *ADD_FOREIGN_KEYS]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0008_pg_transaction_row_first")]

    operations = [
        migrations.SeparateDatabaseAndState(
            # SQLite keeps its foreign keys (checked at COMMIT there).
            state_operations=[
                migrations.AlterField(
                    model_name="hold",
                    name="resolved_by",
                    field=models.OneToOneField(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=models.deletion.PROTECT,
                        related_name="posted_hold",
                        to="ledger.journaltransaction",
                    ),
                ),
                migrations.AlterField(
                    model_name="journaltransaction",
                    name="reverses",
                    field=models.OneToOneField(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=models.deletion.PROTECT,
                        related_name="reversed_by",
                        to="ledger.journaltransaction",
                        verbose_name="reverses",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(_run(FORWARD), _run(BACKWARD))],
        )
    ]
