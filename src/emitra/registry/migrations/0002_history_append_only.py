"""History and access records are append-only in the database itself: the family's record of
who changed and who read its data must not be edited afterwards."""

from django.db import migrations

from emitra.core.guards import (
    POSTGRES_REFUSE_FUNCTION,
    drop_append_only,
    postgres_append_only,
    sqlite_append_only,
)

TABLES = ("registry_historyentry", "registry_accessrecord")


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            statements = [POSTGRES_REFUSE_FUNCTION, *postgres_append_only(table)]
        else:
            statements = sqlite_append_only(table)
        for sql in statements:
            schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    for table in TABLES:
        for sql in drop_append_only(schema_editor.connection.vendor, table):
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial"), ("core", "0002_audit_append_only")]
    operations = [migrations.RunPython(create, drop)]
