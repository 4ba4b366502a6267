"""PostgreSQL: fewer statements per posting (the hot path of DESIGN.md §4).

Most of a small posting's server time is per-statement overhead, not work, so:
- the entry trigger does its three jobs (sealed transaction, unknown account, balance move) in
  one statement instead of three;
- `ledger_post_hold` locks the wallet first and reads the hold once: everyone who resolves a
  hold locks its wallet first, so under that lock the hold's state is settled, and the replay
  lookup is needed only when the hold is no longer open; the spent sum is a PL/pgSQL loop;
- `ledger_hold` inserts with ON CONFLICT and looks for a replay only on a conflict (or when the
  money is not there: a retried hold must get its first answer, not "insufficient funds").
Behaviour is unchanged; the same tests run against these functions and the portable path.
"""

import importlib

from django.db import migrations

hot_path = importlib.import_module("emitra.ledger.migrations.0003_postgres_hot_path")
earlier_guards = importlib.import_module("emitra.ledger.migrations.0005_entry_account_checked_by_trigger")

ENTRIES_TRIGGER = """
CREATE OR REPLACE FUNCTION ledger_entries_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE problem text;
BEGIN
  -- (A data-modifying WITH runs to completion whether or not the query reads it.)
  WITH per_account AS (
         SELECT account_id, sum(amount) AS net FROM new_entries GROUP BY account_id),
       moved AS (
         UPDATE ledger_account a SET balance = a.balance + p.net FROM per_account p
          WHERE a.id = p.account_id AND a.floor IS NOT NULL)
  SELECT CASE
           WHEN EXISTS (SELECT 1 FROM (SELECT DISTINCT transaction_id FROM new_entries) n
                          JOIN ledger_journaltransaction t ON t.id = n.transaction_id)
             THEN 'sealed'
           WHEN EXISTS (SELECT 1 FROM per_account p
                          LEFT JOIN ledger_account a ON a.id = p.account_id WHERE a.id IS NULL)
             THEN 'unknown'
         END INTO problem;
  IF problem = 'sealed' THEN
    RAISE EXCEPTION 'ledger: entries cannot be added to a written transaction'
      USING ERRCODE = 'check_violation';
  ELSIF problem = 'unknown' THEN
    RAISE EXCEPTION 'ledger: unknown account' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$"""

HOLD_REPLAY = """
    SELECT hh.id, hh.request_hash INTO earlier FROM ledger_hold hh
     WHERE hh.scope = p_scope AND hh.key = p_key;
    IF FOUND THEN
      IF earlier.request_hash <> p_hash THEN RAISE EXCEPTION 'ledger:key_reused'; END IF;
      RETURN QUERY SELECT earlier.id, true;
      RETURN;
    END IF;
"""

HOLD = f"""
CREATE OR REPLACE FUNCTION ledger_hold(p_account bigint, p_amount bigint, p_scope text,
  p_key text, p_hash text, p_now timestamptz, p_expires timestamptz,
  p_cause_type text, p_cause_id text)
RETURNS TABLE (id bigint, replayed boolean) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE acc record; earlier record; new_id bigint;
BEGIN
  SELECT a.code, a.balance, a.held, a.floor, a.is_active INTO acc FROM ledger_account a
   WHERE a.id = p_account FOR UPDATE;
  IF NOT FOUND OR acc.floor IS NULL OR NOT acc.is_active THEN
    {HOLD_REPLAY}
    RAISE EXCEPTION 'ledger:unknown_account' USING DETAIL = coalesce(acc.code, '');
  END IF;
  IF acc.balance - acc.held - p_amount < acc.floor THEN
    {HOLD_REPLAY}
    RAISE EXCEPTION 'ledger:insufficient_funds' USING DETAIL = acc.code;
  END IF;
  INSERT INTO ledger_hold (account_id, amount, state, expires_at, scope, key, request_hash,
                           posted_amount, cause_type, cause_id, created_at)
  VALUES (p_account, p_amount, 'open', p_expires, p_scope, p_key, p_hash, 0,
          p_cause_type, p_cause_id, p_now)
  ON CONFLICT (scope, key) DO NOTHING
  RETURNING ledger_hold.id INTO new_id;
  IF new_id IS NULL THEN
    {HOLD_REPLAY}
  END IF;
  UPDATE ledger_account SET held = held + p_amount WHERE ledger_account.id = p_account;
  RETURN QUERY SELECT new_id, false;
END $$"""

POST_HOLD = f"""
CREATE OR REPLACE FUNCTION ledger_post_hold(p_hold bigint, {hot_path.ARGS})
RETURNS TABLE (id bigint, replayed boolean) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE earlier record; h record; txn_id bigint; spent bigint := 0; extra_ids bigint[]; i int;
BEGIN
  SELECT hh.account_id INTO h FROM ledger_hold hh WHERE hh.id = p_hold;
  IF NOT FOUND THEN RAISE EXCEPTION 'ledger:unknown_hold'; END IF;
  extra_ids := ARRAY[h.account_id];
  {hot_path.LOCK}
  -- Whoever resolves a hold locks its wallet first: from here on its state cannot change.
  SELECT hh.id, hh.account_id, hh.amount, hh.state, hh.expires_at INTO h
    FROM ledger_hold hh WHERE hh.id = p_hold;
  IF h.state <> 'open' THEN
    -- This very request may have posted it already (a retry): hand back that transaction.
    {hot_path.REPLAY}
    RAISE EXCEPTION 'ledger:hold_resolved' USING DETAIL = h.state;
  END IF;
  IF h.expires_at <= p_now THEN RAISE EXCEPTION 'ledger:hold_expired'; END IF;
  FOR i IN 1 .. coalesce(array_length(p_debits, 1), 0) LOOP
    IF p_debits[i] = h.account_id THEN spent := spent + p_amounts[i]; END IF;
  END LOOP;
  IF spent <= 0 THEN RAISE EXCEPTION 'ledger:invalid_amount'; END IF;
  IF spent > h.amount THEN RAISE EXCEPTION 'ledger:post_exceeds_hold'; END IF;
  UPDATE ledger_account SET held = held - h.amount WHERE ledger_account.id = h.account_id;
  {hot_path.WRITE}
  UPDATE ledger_hold SET state = 'posted', posted_amount = spent, resolved_by_id = txn_id,
         resolved_at = p_now WHERE ledger_hold.id = p_hold;
  RETURN QUERY SELECT txn_id, false;
END $$"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in (ENTRIES_TRIGGER, HOLD, POST_HOLD):
            schema_editor.execute(sql, params=None)


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(earlier_guards.POSTGRES[0], params=None)
        for sql in (hot_path.HOLD, hot_path.POST_HOLD):
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0006_department_payable_kind")]
    operations = [migrations.RunPython(create, restore)]
