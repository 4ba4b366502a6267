"""Give every outbox message a UUID key that survives database resets (partner idempotency)."""

import uuid

from django.db import migrations, models


def fill_keys(apps, schema_editor):
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    for message in OutboxMessage.objects.filter(key__isnull=True).only("pk"):
        OutboxMessage.objects.filter(pk=message.pk).update(key=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="key",
            field=models.UUIDField(editable=False, null=True, verbose_name="key"),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="outboxmessage",
            name="key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="key"),
        ),
    ]
