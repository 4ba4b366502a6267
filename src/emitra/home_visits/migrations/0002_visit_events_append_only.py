"""A visit's history is evidence (who cancelled, who re-assigned): rows are never changed."""

from django.db import migrations

from emitra.core.guards import (
    POSTGRES_REFUSE_FUNCTION,
    drop_append_only,
    postgres_append_only,
    sqlite_append_only,
)

TABLE = "home_visits_visitevent"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = [POSTGRES_REFUSE_FUNCTION, *postgres_append_only(TABLE)]
    else:
        statements = sqlite_append_only(TABLE)
    for sql in statements:
        schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    for sql in drop_append_only(schema_editor.connection.vendor, TABLE):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("home_visits", "0001_initial"), ("core", "0002_audit_append_only")]
    operations = [migrations.RunPython(create, drop)]
