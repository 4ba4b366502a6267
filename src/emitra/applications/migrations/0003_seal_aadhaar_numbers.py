"""Aadhaar numbers already written on application forms go into the registry's vault: the form
keeps {"vault": token, "last4": "1234"} (as `services.sealed_form` now writes it)."""

from typing import Any

from django.db import migrations


def seal_rows(rows: Any, vault_entries: Any) -> None:
    """For each row with `form_data` and `service_version`: seal its Aadhaar fields. Shared
    with the portal's migration for its fee orders."""
    from emitra.registry import vault

    for row in rows.select_related("service_version").iterator():
        properties = (row.service_version.form_schema or {}).get("properties", {})
        data = dict(row.form_data)
        for name, value in row.form_data.items():
            if properties.get(name, {}).get("x-field") != "aadhaar" or not isinstance(value, str):
                continue
            try:
                number = vault.clean_aadhaar(value)
            except vault.InvalidAadhaar:
                continue
            fingerprint = vault.fingerprint(number)
            entry = vault_entries.filter(fingerprint=fingerprint).first()
            if entry is None:
                entry = vault_entries.create(
                    ciphertext=vault.encrypt(number),
                    fingerprint=fingerprint,
                    last4=number[-4:],
                    on_forms=True,
                )
            else:
                vault_entries.filter(pk=entry.pk).update(on_forms=True)
            data[name] = {"vault": entry.token, "last4": entry.last4}
        if data != row.form_data:
            type(row).objects.filter(pk=row.pk).update(form_data=data)


def seal(apps: Any, schema_editor: Any) -> None:
    seal_rows(
        apps.get_model("applications", "Application").objects.all(),
        apps.get_model("registry", "VaultEntry").objects,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0002_history_append_only"),
        ("registry", "0005_vault_entry_on_forms"),
    ]
    operations = [migrations.RunPython(seal, migrations.RunPython.noop)]
