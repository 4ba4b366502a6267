"""Published versions of one service — and published rate cards — never overlap in time.

The services validate this with a readable message; the database refuses it too, so no code
path (admin, shell, a future importer) can make two versions in force at the same moment.
PostgreSQL: an exclusion constraint over tstzrange (btree_gist, a trusted extension).
SQLite: BEFORE INSERT/UPDATE triggers doing the same comparison on ISO timestamps.
"""

from django.db import migrations

GUARDED = {
    # table: the column that groups rows whose ranges must not overlap (None: the whole table)
    "catalog_serviceversion": "service_id",
    "catalog_ratecard": None,
}


def _postgres(table, group):
    by_group = f"{group} WITH =, " if group else ""
    return [
        "CREATE EXTENSION IF NOT EXISTS btree_gist",
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_no_overlap EXCLUDE USING gist "
        f"({by_group}tstzrange(effective_from, effective_to, '[)') WITH &&) "
        "WHERE (status = 'published')",
    ]


def _sqlite(table, group):
    same_group = f"AND v.{group} = NEW.{group} " if group else ""
    statements = []
    for event in ("INSERT", "UPDATE"):
        statements.append(
            f"CREATE TRIGGER {table}_no_overlap_{event.lower()} BEFORE {event} ON {table} "
            "WHEN NEW.status = 'published' BEGIN "
            "SELECT RAISE(ABORT, 'catalog: effective ranges overlap') WHERE EXISTS ("
            f"SELECT 1 FROM {table} v WHERE v.status = 'published' AND v.id != NEW.id "
            f"{same_group}"
            "AND (NEW.effective_to IS NULL OR v.effective_from < NEW.effective_to) "
            "AND (v.effective_to IS NULL OR NEW.effective_from < v.effective_to)); END"
        )
    return statements


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, group in GUARDED.items():
        statements = _postgres(table, group) if vendor == "postgresql" else _sqlite(table, group)
        for sql in statements:
            schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in GUARDED:
        if vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_no_overlap")
        else:
            for event in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_overlap_{event}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_service_catalog")]
    operations = [migrations.RunPython(create, drop)]
