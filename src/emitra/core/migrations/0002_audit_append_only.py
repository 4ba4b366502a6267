"""The audit log is append-only in the database itself, not only by convention."""

from django.db import migrations

from emitra.core.guards import (
    POSTGRES_REFUSE_FUNCTION,
    drop_append_only,
    postgres_append_only,
    sqlite_append_only,
)

TABLE = "core_auditentry"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = [POSTGRES_REFUSE_FUNCTION, *postgres_append_only(TABLE)]
    else:
        statements = sqlite_append_only(TABLE)
    for sql in statements:
        schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    for sql in drop_append_only(schema_editor.connection.vendor, TABLE):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
