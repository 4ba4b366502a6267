"""PostgreSQL: a batch of transfers in one call — one statement for all entries, one for all
transaction rows (bulk loads: settlement files, imports, simulators).

The batch is all or nothing. Floors are checked on each limited account's balance after the
whole batch (the entry trigger applies the batch's net change per account at once).
"""

from django.db import migrations

BATCH = """
CREATE OR REPLACE FUNCTION ledger_transfer_batch(
  p_scopes text[], p_keys text[], p_hashes text[], p_kinds text[], p_memos text[],
  p_cause_types text[], p_cause_ids text[],
  p_leg_index int[], p_debits bigint[], p_credits bigint[], p_amounts bigint[],
  p_now timestamptz, p_actor bigint)
RETURNS TABLE (id bigint, replayed boolean) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE ids bigint[]; seen boolean[]; reused boolean; i int;
BEGIN
  -- Replays: keys already written return their transaction; a different request is refused.
  -- LATERAL makes it one index probe per key, however large the journal grows.
  SELECT array_agg(t.id ORDER BY r.pos), array_agg(t.id IS NOT NULL ORDER BY r.pos),
         bool_or(t.request_hash <> r.h)
    INTO ids, seen, reused
    FROM unnest(p_scopes, p_keys, p_hashes) WITH ORDINALITY AS r(s, k, h, pos)
    LEFT JOIN LATERAL (SELECT j.id, j.request_hash FROM ledger_journaltransaction j
                        WHERE j.scope = r.s AND j.key = r.k) t ON true;
  IF reused THEN RAISE EXCEPTION 'ledger:key_reused'; END IF;
  FOR i IN 1 .. coalesce(array_length(ids, 1), 0) LOOP
    IF NOT seen[i] THEN ids[i] := nextval('ledger_txn_id_seq'); END IF;
  END LOOP;
  PERFORM 1 FROM ledger_account la
   WHERE la.id = ANY(p_debits || p_credits) AND la.floor IS NOT NULL ORDER BY la.id FOR UPDATE;
  INSERT INTO ledger_entry (transaction_id, account_id, amount, created_at)
  SELECT ids[x.leg], x.account, x.amount, p_now
    FROM (SELECT li AS leg, d AS account, -amt AS amount
            FROM unnest(p_leg_index, p_debits, p_amounts) AS u(li, d, amt)
          UNION ALL
          SELECT li, c, amt FROM unnest(p_leg_index, p_credits, p_amounts) AS v(li, c, amt)) x
   WHERE NOT seen[x.leg];
  INSERT INTO ledger_journaltransaction
    (id, kind, scope, key, request_hash, cause_type, cause_id, memo, actor_id, created_at)
  SELECT ids[p], p_kinds[p], p_scopes[p], p_keys[p], p_hashes[p], p_cause_types[p],
         p_cause_ids[p], p_memos[p], p_actor, p_now
    FROM generate_subscripts(p_keys, 1) AS p WHERE NOT seen[p] ORDER BY p;
  RETURN QUERY SELECT u.id, u.seen FROM unnest(ids, seen) AS u(id, seen);
END $$"""

DROP = (
    "DROP FUNCTION IF EXISTS ledger_transfer_batch(text[], text[], text[], text[], text[], "
    "text[], text[], int[], bigint[], bigint[], bigint[], timestamptz, bigint)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BATCH, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_postgres_hot_path")]
    operations = [migrations.RunPython(create, drop)]
