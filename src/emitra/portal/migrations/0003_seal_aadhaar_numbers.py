"""Aadhaar numbers kept on online fee orders go into the registry's vault, as on applications
(applications migration 0003)."""

import importlib
from typing import Any

from django.db import migrations

applications_0003 = importlib.import_module(
    "emitra.applications.migrations.0003_seal_aadhaar_numbers"
)


def seal(apps: Any, schema_editor: Any) -> None:
    applications_0003.seal_rows(
        apps.get_model("portal", "OnlineFee").objects.all(),
        apps.get_model("registry", "VaultEntry").objects,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_online_application_fees"),
        ("applications", "0003_seal_aadhaar_numbers"),
    ]
    operations = [migrations.RunPython(seal, migrations.RunPython.noop)]
