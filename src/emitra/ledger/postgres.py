"""The PostgreSQL hot path: each act one call of a PL/pgSQL function (migrations 0003, 0004,
0007; since 0008 they write the transaction row first, then its entries in one INSERT, which
the entry trigger checks against that row — instead of a per-entry foreign key at COMMIT).
Since 0009 a hold's resolving transaction and a reversal's original are checked by triggers
when written, not by deferred foreign keys at COMMIT: the ledger's own writes queue no
per-row referential-integrity event except the hold's account.

Outside a transaction the call is its own transaction — one round trip. Inside the caller's
`transaction.atomic` it runs in a savepoint, so a refusal leaves the caller's work usable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NoReturn

import psycopg
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connection,
    connections,
    transaction,
)
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg.pq import ExecStatus, TransactionStatus

from emitra.core.errors import DomainError
from emitra.ledger import errors

_STATE_LABELS = {"posted": "posted", "voided": "voided", "expired": "expired"}


def _mapped(exc: DatabaseError) -> DomainError | None:
    diag = getattr(exc.__cause__, "diag", None)
    message = getattr(diag, "message_primary", "") or ""
    detail = getattr(diag, "message_detail", "") or ""
    if getattr(diag, "constraint_name", "") == "ledger_account_above_floor":
        return errors.InsufficientFunds("")
    if not message.startswith("ledger:"):
        return None
    code = message.removeprefix("ledger:")
    if code == "insufficient_funds":
        return errors.InsufficientFunds(detail)
    if code == "key_reused":
        return errors.KeyReused()
    if code == "hold_resolved":
        from emitra.ledger.models import HoldState

        return errors.HoldResolved(str(HoldState(detail).label) if detail else "")
    if code == "hold_expired":
        return errors.HoldExpired()
    if code == "post_exceeds_hold":
        return errors.PostExceedsHold()
    if code == "invalid_amount":
        return errors.InvalidAmount()
    return errors.UnknownAccount(detail)


# The SQL type of each argument, so the statement is prepared once per connection.
_SIGNATURES = {
    "ledger_transfer": "text,text,text,text,bigint[],bigint[],bigint[],timestamptz,text,text,"
    "text,bigint",
    "ledger_post_hold": "bigint,text,text,text,text,bigint[],bigint[],bigint[],timestamptz,text,"
    "text,text,bigint",
    "ledger_hold": "bigint,bigint,text,text,text,timestamptz,timestamptz,text,text",
    "ledger_transfer_batch": "text[],text[],text[],text[],text[],text[],text[],int[],bigint[],"
    "bigint[],bigint[],timestamptz,bigint",
}


def _statement(function: str, columns: str) -> str:
    types = _SIGNATURES[function].split(",")
    placeholders = ", ".join(f"%b::{sql_type}" for sql_type in types)
    return f"SELECT {columns} FROM {function}({placeholders})"  # noqa: S608 - fixed names


# Built once: the text is the key of psycopg's prepared-statement cache.
_CALLS = {function: _statement(function, "id, replayed") for function in _SIGNATURES}
_BATCH_CALL = _statement("ledger_transfer_batch", "id")


def call(function: str, params: Sequence[Any], *, savepoint: bool = True) -> tuple[int, bool]:
    """SELECT * FROM function(params) → (id, replayed). Ledger refusals become DomainErrors;
    a unique violation (a concurrent twin with the same key) is re-raised for the replay; a
    wallet going below its floor (the account CHECK) becomes InsufficientFunds.
    `savepoint=False` is for batches that are all-or-nothing anyway."""
    db = connections[DEFAULT_DB_ALIAS]  # looked up once: each proxy access costs a lookup
    try:
        if db.in_atomic_block and savepoint:
            with transaction.atomic():
                row = _fetch(db, function, params)
        else:
            row = _fetch(db, function, params)
    except DatabaseError as exc:
        mapped = _mapped(exc)
        if mapped is None:
            raise
        raise mapped from exc
    return int(row[0]), bool(row[1])


def _fetch(db: BaseDatabaseWrapper, function: str, params: Sequence[Any]) -> tuple[Any, ...]:
    """Run one hot-path call on Django's own connection (same transaction), prepared once per
    connection. The usual way is libpq directly (`_fetch_direct`); psycopg's cursor serves
    when that cannot be used."""
    db.ensure_connection()
    raw = db.connection
    assert raw is not None
    encoded = _encode(function, params)
    if encoded is not None and _may_call_directly(raw):
        return _fetch_direct(db, raw, function, encoded)
    try:
        with psycopg.Cursor(raw) as cursor:
            cursor.execute(_CALLS[function], params, prepare=True)
            row = cursor.fetchone()
    except psycopg.IntegrityError as exc:  # as Django presents them: one family of errors
        raise IntegrityError(str(exc)) from exc
    except psycopg.Error as exc:
        raise DatabaseError(str(exc)) from exc
    assert row is not None
    return tuple(row)


# The direct path. A payment is two short calls; through psycopg's cursor each costs the
# client ~0.13 ms of CPU in adapting parameters and results, about as much as the server's
# work, and with eight workers on two cores the clients starved the server (0.5× TPC-B).
# libpq's PQexecPrepared with parameters written as text costs ~0.06 ms.
_DIRECT_SQL = {
    function: "SELECT id, replayed FROM {}({})".format(  # noqa: S608 - fixed names
        function,
        ", ".join(f"${n}::{t}" for n, t in enumerate(_SIGNATURES[function].split(","), start=1)),
    ).encode()
    for function in _CALLS
}
_STATEMENT_NAMES = {function: f"emitra_{function}".encode() for function in _CALLS}


def _as_bigint(value: Any) -> bytes:
    return b"%d" % value


def _as_text(value: Any) -> bytes:
    if "\x00" in value:  # libpq reads text parameters up to a NUL: let psycopg refuse it
        raise ValueError(value)
    return str(value).encode()


def _as_timestamptz(value: Any) -> bytes:
    return str(value.isoformat()).encode()


def _as_bigint_array(value: Any) -> bytes:
    return b"{" + b",".join(b"%d" % item for item in value) + b"}"


_ENCODERS = {
    "bigint": _as_bigint,
    "int": _as_bigint,
    "text": _as_text,
    "timestamptz": _as_timestamptz,
    "bigint[]": _as_bigint_array,
}
_ENCODERS_OF = {
    function: tuple(_ENCODERS.get(t) for t in _SIGNATURES[function].split(","))
    for function in _CALLS
}


def _encode(function: str, params: Sequence[Any]) -> list[bytes | None] | None:
    """The parameters as libpq text, or None when one of them needs psycopg's adaptation."""
    encoders = _ENCODERS_OF[function]
    if len(params) != len(encoders):
        return None
    try:
        return [
            None if value is None else encode(value)  # type: ignore[misc]
            for encode, value in zip(encoders, params, strict=True)
        ]
    except (TypeError, ValueError, AttributeError):
        return None


def _may_call_directly(raw: psycopg.Connection[Any]) -> bool:
    """Inside a transaction psycopg has begun, or in autocommit. Not when psycopg would still
    send BEGIN itself before the next statement (an atomic block with nothing run yet)."""
    status = raw.pgconn.transaction_status
    if status == TransactionStatus.INTRANS:
        return True
    return status == TransactionStatus.IDLE and raw.autocommit


def _fetch_direct(
    db: BaseDatabaseWrapper,
    raw: psycopg.Connection[Any],
    function: str,
    encoded: list[bytes | None],
) -> tuple[Any, ...]:
    pgconn = raw.pgconn
    prepared: set[str] = raw.__dict__.setdefault("_emitra_prepared", set())
    name = _STATEMENT_NAMES[function]
    if function not in prepared:
        result = pgconn.prepare(name, _DIRECT_SQL[function])
        if result.status != ExecStatus.COMMAND_OK:
            _raise_from(db, raw, result)
        prepared.add(function)
    result = pgconn.exec_prepared(name, encoded)  # type: ignore[arg-type]  # None is NULL
    if result.status != ExecStatus.TUPLES_OK:
        _raise_from(db, raw, result)
    return int(result.get_value(0, 0) or 0), result.get_value(0, 1) == b"t"


def _raise_from(db: BaseDatabaseWrapper, raw: psycopg.Connection[Any], result: Any) -> NoReturn:
    error = psycopg.errors.error_from_result(result, encoding=raw.info.encoding)
    db.errors_occurred = True  # Django checks the connection before reusing it
    if isinstance(error, psycopg.IntegrityError):
        raise IntegrityError(str(error)) from error
    raise DatabaseError(str(error)) from error


def leg_arrays(legs: Sequence[Any]) -> tuple[list[int], list[int], list[int]]:
    return (
        [leg.debit.id for leg in legs],
        [leg.credit.id for leg in legs],
        [leg.amount for leg in legs],
    )


def transfer_params(
    *,
    legs: Sequence[Any],
    scope: str,
    key: str,
    digest: str,
    kind: str,
    now: datetime,
    cause_type: str,
    cause_id: str,
    memo: str,
    actor_id: int | None,
) -> list[Any]:
    debits, credits, amounts = leg_arrays(legs)
    return [
        scope,
        key,
        digest,
        kind,
        debits,
        credits,
        amounts,
        now,
        cause_type,
        cause_id,
        memo[:200],
        actor_id,
    ]


def transfer_batch(prepared: Sequence[Any], *, now: datetime, actor_id: int | None) -> list[int]:
    """All transfers of a batch in one call: one round trip, one commit."""
    columns: dict[str, list[Any]] = {
        name: [] for name in ("scopes", "keys", "hashes", "kinds", "memos", "types", "ids")
    }
    leg_index: list[int] = []
    legs = []
    for position, (request, _entries, digest) in enumerate(prepared, start=1):
        columns["scopes"].append(request.scope)
        columns["keys"].append(request.key)
        columns["hashes"].append(digest)
        columns["kinds"].append(request.kind)
        columns["memos"].append(request.memo[:200])
        columns["types"].append(request.cause.type)
        columns["ids"].append(request.cause.id)
        for leg in request.legs:
            leg_index.append(position)
            legs.append(leg)
    debits, credits, amounts = leg_arrays(legs)
    params = [*columns.values(), leg_index, debits, credits, amounts, now, actor_id]
    sql = _BATCH_CALL
    try:
        with transaction.atomic():
            connection.ensure_connection()
            assert connection.connection is not None
            with psycopg.Cursor(connection.connection) as cursor:
                cursor.execute(sql, params, prepare=True)
                return [int(row[0]) for row in cursor.fetchall()]
    except psycopg.Error as exc:
        error: DatabaseError = (
            IntegrityError(str(exc))
            if isinstance(exc, psycopg.IntegrityError)
            else DatabaseError(str(exc))
        )
        error.__cause__ = exc
        raise (_mapped(error) or error) from exc
