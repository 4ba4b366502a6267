"""PostgreSQL: hold, post-hold and transfer as one function call each (one round trip).

DESIGN.md §4 "The hot path": ORM statements reach 0.15–0.3× of pgbench TPC-B, one round trip
per transaction 0.8–1.1×. The functions do exactly what the portable Python path in
`ledger.services` does on SQLite; the same tests run against both, so they cannot drift.
Errors are raised as 'ledger:<code>' with the account code in DETAIL; services map them.
"""

from django.db import migrations

LOCK = """
  -- Lock every limited account involved, in id order, so concurrent postings cannot deadlock;
  -- the entry trigger then moves their balances and the CHECK refuses going below a floor.
  PERFORM 1 FROM ledger_account la WHERE la.id = ANY(p_debits || p_credits || extra_ids)
     AND la.floor IS NOT NULL ORDER BY la.id FOR UPDATE;
"""

WRITE = """
  txn_id := nextval('ledger_txn_id_seq');
  INSERT INTO ledger_entry (transaction_id, account_id, amount, created_at)
  SELECT txn_id, d, -amt, p_now FROM unnest(p_debits, p_amounts) AS u(d, amt)
  UNION ALL
  SELECT txn_id, c, amt, p_now FROM unnest(p_credits, p_amounts) AS v(c, amt);
  INSERT INTO ledger_journaltransaction
    (id, kind, scope, key, request_hash, cause_type, cause_id, memo, actor_id, created_at)
  VALUES (txn_id, p_kind, p_scope, p_key, p_hash, p_cause_type, p_cause_id, p_memo, p_actor, p_now);
"""

REPLAY = """
  SELECT t.id, t.request_hash INTO earlier FROM ledger_journaltransaction t
   WHERE t.scope = p_scope AND t.key = p_key;
  IF FOUND THEN
    IF earlier.request_hash <> p_hash THEN RAISE EXCEPTION 'ledger:key_reused'; END IF;
    RETURN QUERY SELECT earlier.id, true;
    RETURN;
  END IF;
"""

ARGS = """p_scope text, p_key text, p_hash text, p_kind text,
  p_debits bigint[], p_credits bigint[], p_amounts bigint[],
  p_now timestamptz, p_cause_type text, p_cause_id text, p_memo text, p_actor bigint"""

TRANSFER = f"""
CREATE OR REPLACE FUNCTION ledger_transfer({ARGS})
RETURNS TABLE (id bigint, replayed boolean) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE earlier record; txn_id bigint; extra_ids bigint[] := '{{}}';
BEGIN
  {REPLAY}
  {LOCK}
  {WRITE}
  RETURN QUERY SELECT txn_id, false;
END $$"""

POST_HOLD = f"""
CREATE OR REPLACE FUNCTION ledger_post_hold(p_hold bigint, {ARGS})
RETURNS TABLE (id bigint, replayed boolean) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE earlier record; h record; txn_id bigint; spent bigint; extra_ids bigint[];
BEGIN
  {REPLAY}
  SELECT hh.account_id INTO h FROM ledger_hold hh WHERE hh.id = p_hold;
  IF NOT FOUND THEN RAISE EXCEPTION 'ledger:unknown_hold'; END IF;
  extra_ids := ARRAY[h.account_id];
  {LOCK}
  -- A twin with the same key may have posted while we waited for the lock: replay it.
  {REPLAY}
  SELECT hh.id, hh.account_id, hh.amount, hh.state, hh.expires_at INTO h
    FROM ledger_hold hh WHERE hh.id = p_hold;
  IF h.state <> 'open' THEN RAISE EXCEPTION 'ledger:hold_resolved' USING DETAIL = h.state; END IF;
  IF h.expires_at <= p_now THEN RAISE EXCEPTION 'ledger:hold_expired'; END IF;
  SELECT coalesce(sum(amt), 0) INTO spent FROM unnest(p_debits, p_amounts) AS u(d, amt)
   WHERE d = h.account_id;
  IF spent <= 0 THEN RAISE EXCEPTION 'ledger:invalid_amount'; END IF;
  IF spent > h.amount THEN RAISE EXCEPTION 'ledger:post_exceeds_hold'; END IF;
  UPDATE ledger_account SET held = held - h.amount WHERE ledger_account.id = h.account_id;
  {WRITE}
  UPDATE ledger_hold SET state = 'posted', posted_amount = spent, resolved_by_id = txn_id,
         resolved_at = p_now WHERE ledger_hold.id = p_hold;
  RETURN QUERY SELECT txn_id, false;
END $$"""

HOLD = """
CREATE OR REPLACE FUNCTION ledger_hold(p_account bigint, p_amount bigint, p_scope text,
  p_key text, p_hash text, p_now timestamptz, p_expires timestamptz,
  p_cause_type text, p_cause_id text)
RETURNS TABLE (id bigint, replayed boolean) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE acc record; earlier record; new_id bigint;
BEGIN
  SELECT hh.id, hh.request_hash INTO earlier FROM ledger_hold hh
   WHERE hh.scope = p_scope AND hh.key = p_key;
  IF FOUND THEN
    IF earlier.request_hash <> p_hash THEN RAISE EXCEPTION 'ledger:key_reused'; END IF;
    RETURN QUERY SELECT earlier.id, true;
    RETURN;
  END IF;
  SELECT a.code, a.balance, a.held, a.floor, a.is_active INTO acc FROM ledger_account a
   WHERE a.id = p_account FOR UPDATE;
  IF NOT FOUND OR acc.floor IS NULL OR NOT acc.is_active THEN
    RAISE EXCEPTION 'ledger:unknown_account' USING DETAIL = coalesce(acc.code, '');
  END IF;
  IF acc.balance - acc.held - p_amount < acc.floor THEN
    RAISE EXCEPTION 'ledger:insufficient_funds' USING DETAIL = acc.code;
  END IF;
  UPDATE ledger_account SET held = held + p_amount WHERE ledger_account.id = p_account;
  INSERT INTO ledger_hold (account_id, amount, state, expires_at, scope, key, request_hash,
                           posted_amount, cause_type, cause_id, created_at)
  VALUES (p_account, p_amount, 'open', p_expires, p_scope, p_key, p_hash, 0,
          p_cause_type, p_cause_id, p_now)
  RETURNING ledger_hold.id INTO new_id;
  RETURN QUERY SELECT new_id, false;
END $$"""

DROP = [
    "DROP FUNCTION IF EXISTS ledger_transfer(text, text, text, text, bigint[], bigint[], bigint[],"
    " timestamptz, text, text, text, bigint)",
    "DROP FUNCTION IF EXISTS ledger_post_hold(bigint, text, text, text, text, bigint[], bigint[],"
    " bigint[], timestamptz, text, text, text, bigint)",
    "DROP FUNCTION IF EXISTS ledger_hold(bigint, bigint, text, text, text, timestamptz,"
    " timestamptz, text, text)",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in (TRANSFER, POST_HOLD, HOLD):
            schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_guards")]
    operations = [migrations.RunPython(create, drop)]
