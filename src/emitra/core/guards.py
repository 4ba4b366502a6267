"""Database guards (append-only tables, ledger rules) and their one sanctioned bypass.

Triggers refuse UPDATE/DELETE of guarded rows on both databases. Only `maintenance()` — used by
`emitra flush` (the test suite's reset between transactional tests) — lets them through:
on PostgreSQL through a session setting, on SQLite through a function registered on each
connection Django opens. A connection that is not Django's (the sqlite3 shell, psql) has no
such function or setting, so the guards hold there too ("no such function" also refuses).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections
from django.db.backends.signals import connection_created
from django.dispatch import receiver

_state = threading.local()


def _maintenance_on() -> int:
    return 1 if getattr(_state, "maintenance", False) else 0


@receiver(connection_created)
def register_sqlite_guard_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "emitra_maintenance", 0, _maintenance_on, deterministic=False
        )


@contextmanager
def maintenance(using: str = "default") -> Iterator[None]:
    connection = connections[using]
    _state.maintenance = True
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('emitra.maintenance', 'on', false)")
        yield
    finally:
        _state.maintenance = False
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('emitra.maintenance', 'off', false)")


def sqlite_append_only(table: str) -> list[str]:
    """Triggers that make `table` append-only on SQLite."""
    return [
        f"""CREATE TRIGGER {table}_no_{act.lower()} BEFORE {act} ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only') WHERE emitra_maintenance() = 0;
            END"""
        for act in ("UPDATE", "DELETE")
    ]


def postgres_append_only(table: str) -> list[str]:
    """Triggers that make `table` append-only on PostgreSQL (TRUNCATE included)."""
    return [
        f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION emitra_refuse_change()""",
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION emitra_refuse_change()""",
    ]


POSTGRES_REFUSE_FUNCTION = """
CREATE OR REPLACE FUNCTION emitra_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('emitra.maintenance', true), '') = 'on' THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'check_violation';
END $$"""


def drop_append_only(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        ]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update",
        f"DROP TRIGGER IF EXISTS {table}_no_delete",
    ]
