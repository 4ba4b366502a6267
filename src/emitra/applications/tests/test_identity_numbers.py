"""An Aadhaar number written on an application form is kept only in the registry's vault,
encrypted: the form keeps its token and last four digits (DESIGN.md §6, issue 9)."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from conftest import verify_totp
from emitra.applications.models import Application
from emitra.applications.receipts import form_rows
from emitra.registry import vault
from emitra.registry.models import VaultEntry
from emitra.registry.tests.conftest import aadhaar_number

pytestmark = pytest.mark.django_db


def spaced(number: str) -> re.Pattern[str]:
    return re.compile(rf"{number[:4]}\D?{number[4:8]}\D?{number[8:]}")


def assert_nowhere_in_the_database(number: str) -> None:
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            assert not spaced(number).search(repr(cursor.fetchall())), table


def test_a_filed_form_keeps_the_aadhaar_number_only_as_a_vault_token(submit, client, officer):
    number = aadhaar_number()
    application = submit(data={"aadhaar": f"{number[:4]} {number[4:8]} {number[8:]}"})

    sealed = application.form_data["aadhaar"]
    entry = VaultEntry.objects.get(token=sealed["vault"])
    assert sealed == {"vault": entry.token, "last4": number[-4:]}
    assert entry.on_forms and vault.decrypt(entry.ciphertext) == number
    assert_nowhere_in_the_database(number)
    assert ("Aadhaar number", f"XXXX-XXXX-{number[-4:]}") in [
        (str(label), shown) for label, shown in form_rows(application)
    ]
    client.force_login(officer)
    verify_totp(client, officer)
    page = client.get(f"/applications/{application.number}/")
    assert page.status_code == 200 and f"XXXX-XXXX-{number[-4:]}" in page.content.decode()


def test_the_same_number_on_two_forms_shares_one_vault_entry(submit):
    number = aadhaar_number()
    first = submit(data={"aadhaar": number})
    second = submit(data={"aadhaar": number})
    assert first.form_data["aadhaar"] == second.form_data["aadhaar"]
    assert VaultEntry.objects.count() == 1


def test_a_form_without_an_aadhaar_number_writes_nothing_to_the_vault(submit):
    application = submit()
    assert "aadhaar" not in application.form_data or not application.form_data["aadhaar"]
    assert not VaultEntry.objects.exists()


def test_a_refused_form_does_not_show_the_aadhaar_number_again(
    client, operator, domicile, jaipur, sanganer
):
    from emitra.applications.tests.factories import form_data

    number = aadhaar_number()
    client.force_login(operator)
    data = form_data(jaipur, sanganer, aadhaar=number, pincode="12")  # a bad PIN code
    page = client.post(f"/applications/new/{domicile.code}/", data)
    body = page.content.decode()
    assert page.status_code in (200, 400) and "PIN code" in body
    assert not spaced(number).search(body)
    assert "please type it again" in body
    assert not Application.objects.exists()


def test_numbers_already_on_forms_are_moved_into_the_vault(submit):
    import importlib

    migration = importlib.import_module("emitra.applications.migrations.0003_seal_aadhaar_numbers")
    number = aadhaar_number()
    application = submit()
    Application.objects.filter(pk=application.pk).update(
        form_data={**application.form_data, "aadhaar": number}  # as written before sealing
    )

    migration.seal_rows(Application.objects.all(), VaultEntry.objects)

    application.refresh_from_db()
    entry = VaultEntry.objects.get()
    assert application.form_data["aadhaar"] == {"vault": entry.token, "last4": number[-4:]}
    assert_nowhere_in_the_database(number)
