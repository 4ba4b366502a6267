"""The PostgreSQL hot path: each act one call of a PL/pgSQL function (migrations/0003).

Outside a transaction the call is its own transaction — one round trip. Inside the caller's
`transaction.atomic` it runs in a savepoint, so a refusal leaves the caller's work usable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction

from emitra.core.errors import DomainError
from emitra.ledger import errors

_STATE_LABELS = {"posted": "posted", "voided": "voided", "expired": "expired"}


def _mapped(exc: DatabaseError) -> DomainError | None:
    diag = getattr(exc.__cause__, "diag", None)
    message = getattr(diag, "message_primary", "") or ""
    detail = getattr(diag, "message_detail", "") or ""
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


def call(function: str, params: Sequence[Any]) -> tuple[int, bool]:
    """SELECT * FROM function(params) → (id, replayed). Ledger refusals become DomainErrors;
    a unique violation (a concurrent twin with the same key) is re-raised for the replay."""
    placeholders = ", ".join(["%s"] * len(params))
    sql = f"SELECT id, replayed FROM {function}({placeholders})"  # noqa: S608 - fixed names
    try:
        if connection.in_atomic_block:
            with transaction.atomic():
                row = _fetch(sql, params)
        else:
            row = _fetch(sql, params)
    except IntegrityError:
        raise
    except DatabaseError as exc:
        mapped = _mapped(exc)
        if mapped is None:
            raise
        raise mapped from exc
    return int(row[0]), bool(row[1])


def _fetch(sql: str, params: Sequence[Any]) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


def leg_arrays(legs: Sequence[Any]) -> tuple[list[int], list[int], list[int]]:
    return (
        [leg.debit.pk for leg in legs],
        [leg.credit.pk for leg in legs],
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
