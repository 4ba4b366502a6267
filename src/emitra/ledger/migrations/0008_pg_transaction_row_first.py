"""PostgreSQL: the journal row is written first and its entries are checked against it, in place
of the per-entry deferred foreign key (SQLite is unchanged).

The deferred foreign key from entry to transaction cost one referential-integrity query, with a
row lock, per entry at COMMIT: about a quarter of a 100-transfer batch's server time. On
PostgreSQL the order is now: transaction row, then all its entries in one INSERT, and

- the statement-level entry trigger (already run once per INSERT) refuses, for every
  transaction named by the INSERT's entries: one that does not exist ("unknown transaction",
  the foreign key's job); one whose row was not written by the same (sub)transaction that
  inserts the entries — compared by `xmin` with one of the new entry rows — so nothing can be
  added to a transaction written or committed earlier (the old "sealed" rule); and entries
  that are not ≥ 2 summing to zero within the INSERT. It still moves balances and refuses
  unknown accounts, in the same single statement;
- a deferred constraint trigger on the transaction row refuses, at COMMIT, a row that never
  got entries. With the check above (every INSERT of entries balanced per transaction), every
  committed transaction has ≥ 2 entries summing to zero, as before;
- transaction rows stay append-only (UPDATE, DELETE, TRUNCATE refused, migration 0002).

The check per transaction is one primary-key probe in the entry trigger and one index count
at COMMIT, instead of a locking query per entry (server CPU per batched transfer fell by about
a quarter). Entries may still be added, balanced, by a later INSERT of the same
(sub)transaction that wrote the row — never after it ends. (`xmin` is compared raw: a row
frozen ≥ 2³² transactions ago could share the current xid; that is out of reach in practice.) The model keeps `Entry.transaction` as a
foreign key for the ORM with `db_constraint=False`; only PostgreSQL's constraint is dropped:
SQLite keeps its real (deferred) foreign key from 0001, and its entries-first triggers.
DESIGN.md §4's rules are unchanged; only how PostgreSQL enforces two of them. Reversing
restores the foreign key (NOT VALID is not used: existing data satisfies it) and the previous
triggers and functions.
"""

import importlib

from django.db import migrations, models

hot_path = importlib.import_module("emitra.ledger.migrations.0003_postgres_hot_path")
batch = importlib.import_module("emitra.ledger.migrations.0004_postgres_batch")
account_check = importlib.import_module(
    "emitra.ledger.migrations.0005_entry_account_checked_by_trigger"
)
leaner = importlib.import_module("emitra.ledger.migrations.0007_leaner_hot_path")

FK_NAME = "ledger_entry_transaction_id_fk_ledger_journaltransaction_id"

DROP_FOREIGN_KEY = """
DO $$
DECLARE c record;
BEGIN
  FOR c IN SELECT conname FROM pg_constraint
            WHERE conrelid = 'ledger_entry'::regclass AND contype = 'f'
              AND confrelid = 'ledger_journaltransaction'::regclass
  LOOP
    EXECUTE format('ALTER TABLE ledger_entry DROP CONSTRAINT %I', c.conname);
  END LOOP;
END $$"""

ADD_FOREIGN_KEY = f"""
ALTER TABLE ledger_entry ADD CONSTRAINT {FK_NAME}
  FOREIGN KEY (transaction_id) REFERENCES ledger_journaltransaction (id)
  DEFERRABLE INITIALLY DEFERRED"""

ENTRIES_TRIGGER = """
CREATE OR REPLACE FUNCTION ledger_entries_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE problem text; txn bigint;
BEGIN
  -- (A data-modifying WITH runs to completion whether or not the query reads it.)
  WITH per_account AS (
         SELECT account_id, sum(amount) AS net FROM new_entries GROUP BY account_id),
       moved AS (
         UPDATE ledger_account a SET balance = a.balance + p.net FROM per_account p
          WHERE a.id = p.account_id AND a.floor IS NOT NULL),
       per_txn AS (
         SELECT transaction_id, count(*) AS legs, sum(amount) AS total
           FROM new_entries GROUP BY transaction_id),
       -- The (sub)transaction inserting these entries: the xmin of one of the new rows.
       writer AS MATERIALIZED (  -- planned on its own: a primary-key probe
         SELECT e.xmin AS xid FROM ledger_entry e
          WHERE e.id = (SELECT min(n.id) FROM new_entries n)),
       txn_problem AS (
         SELECT p.transaction_id,
                CASE WHEN t.id IS NULL THEN 'orphan'
                     WHEN NOT t.xmin = w.xid THEN 'sealed'
                     ELSE 'unbalanced' END AS problem
           FROM per_txn p CROSS JOIN writer w
           LEFT JOIN ledger_journaltransaction t ON t.id = p.transaction_id
          WHERE t.id IS NULL OR NOT t.xmin = w.xid OR p.legs < 2 OR p.total <> 0
          LIMIT 1)
  SELECT coalesce(
           (SELECT tp.problem FROM txn_problem tp),
           CASE WHEN EXISTS (SELECT 1 FROM per_account p
                               LEFT JOIN ledger_account a ON a.id = p.account_id
                              WHERE a.id IS NULL) THEN 'unknown' END),
         (SELECT tp.transaction_id FROM txn_problem tp)
    INTO problem, txn;
  IF problem = 'orphan' THEN
    RAISE EXCEPTION 'ledger: entries for unknown transaction %', txn
      USING ERRCODE = 'foreign_key_violation';
  ELSIF problem = 'sealed' THEN
    RAISE EXCEPTION 'ledger: entries cannot be added to a written transaction'
      USING ERRCODE = 'check_violation', DETAIL = txn::text;
  ELSIF problem = 'unbalanced' THEN
    RAISE EXCEPTION 'ledger: unbalanced transaction %', txn USING ERRCODE = 'check_violation';
  ELSIF problem = 'unknown' THEN
    RAISE EXCEPTION 'ledger: unknown account' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$"""

TXN_HAS_ENTRIES = [
    "DROP TRIGGER IF EXISTS ledger_txn_balanced ON ledger_journaltransaction",
    "DROP FUNCTION IF EXISTS ledger_txns_after_insert()",
    """CREATE OR REPLACE FUNCTION ledger_txn_has_entries() RETURNS trigger
       LANGUAGE plpgsql AS $$
       DECLARE legs bigint;
       BEGIN
         -- count(*), not EXISTS/LIMIT 1: with young statistics LIMIT 1 makes the planner pick a
         -- sequential scan ("a match comes soon"), cached for the session: O(journal) per row.
         SELECT count(*) INTO legs FROM ledger_entry e WHERE e.transaction_id = NEW.id;
         IF legs = 0 THEN
           RAISE EXCEPTION 'ledger: unbalanced transaction % (no entries)', NEW.id
             USING ERRCODE = 'check_violation';
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE CONSTRAINT TRIGGER ledger_txn_has_entries
       AFTER INSERT ON ledger_journaltransaction DEFERRABLE INITIALLY DEFERRED
       FOR EACH ROW EXECUTE FUNCTION ledger_txn_has_entries()""",
]

RESTORE_TXN_BALANCED = [
    "DROP TRIGGER IF EXISTS ledger_txn_has_entries ON ledger_journaltransaction",
    "DROP FUNCTION IF EXISTS ledger_txn_has_entries()",
    *account_check.POSTGRES[3:6],  # ledger_txns_after_insert() and its statement trigger
]

# The transaction row first, then every entry in one INSERT (checked by the entry trigger).
WRITE = """
  txn_id := nextval('ledger_txn_id_seq');
  INSERT INTO ledger_journaltransaction
    (id, kind, scope, key, request_hash, cause_type, cause_id, memo, actor_id, created_at)
  VALUES (txn_id, p_kind, p_scope, p_key, p_hash, p_cause_type, p_cause_id, p_memo, p_actor, p_now);
  INSERT INTO ledger_entry (transaction_id, account_id, amount, created_at)
  SELECT txn_id, d, -amt, p_now FROM unnest(p_debits, p_amounts) AS u(d, amt)
  UNION ALL
  SELECT txn_id, c, amt, p_now FROM unnest(p_credits, p_amounts) AS v(c, amt);
"""


def _with_write(function_sql: str) -> str:
    assert hot_path.WRITE in function_sql
    return function_sql.replace(hot_path.WRITE, WRITE)


TRANSFER = _with_write(hot_path.TRANSFER)
POST_HOLD = _with_write(leaner.POST_HOLD)

BATCH_ENTRIES = """  INSERT INTO ledger_entry (transaction_id, account_id, amount, created_at)
  SELECT ids[x.leg], x.account, x.amount, p_now
    FROM (SELECT li AS leg, d AS account, -amt AS amount
            FROM unnest(p_leg_index, p_debits, p_amounts) AS u(li, d, amt)
          UNION ALL
          SELECT li, c, amt FROM unnest(p_leg_index, p_credits, p_amounts) AS v(li, c, amt)) x
   WHERE NOT seen[x.leg];
"""
BATCH_ROWS = """  INSERT INTO ledger_journaltransaction
    (id, kind, scope, key, request_hash, cause_type, cause_id, memo, actor_id, created_at)
  SELECT ids[p], p_kinds[p], p_scopes[p], p_keys[p], p_hashes[p], p_cause_types[p],
         p_cause_ids[p], p_memos[p], p_actor, p_now
    FROM generate_subscripts(p_keys, 1) AS p WHERE NOT seen[p] ORDER BY p;
"""
assert BATCH_ENTRIES + BATCH_ROWS in batch.BATCH
BATCH = batch.BATCH.replace(BATCH_ENTRIES + BATCH_ROWS, BATCH_ROWS + BATCH_ENTRIES)

FORWARD = [DROP_FOREIGN_KEY, ENTRIES_TRIGGER, *TXN_HAS_ENTRIES, TRANSFER, POST_HOLD, BATCH]
BACKWARD = [
    *RESTORE_TXN_BALANCED,
    leaner.ENTRIES_TRIGGER,
    hot_path.TRANSFER,
    leaner.POST_HOLD,
    batch.BATCH,
    ADD_FOREIGN_KEY,
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_leaner_hot_path")]

    operations = [
        migrations.SeparateDatabaseAndState(
            # SQLite keeps its foreign key (entries come first there, checked at COMMIT).
            state_operations=[
                migrations.AlterField(
                    model_name="entry",
                    name="transaction",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=models.deletion.PROTECT,
                        related_name="entries",
                        to="ledger.journaltransaction",
                    ),
                )
            ],
            database_operations=[migrations.RunPython(_run(FORWARD), _run(BACKWARD))],
        )
    ]
