"""The Aadhaar vault: Verhoeff-checked, encrypted, rotatable, found again only by its keyed
fingerprint, shown as the last four digits, never logged in full."""

from __future__ import annotations

import io
import json
import logging
from datetime import date
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from emitra.core.logging import JsonFormatter
from emitra.core.verhoeff import check_digit
from emitra.registry import services, vault
from emitra.registry.models import Member, VaultEntry

from .conftest import aadhaar_number, member_input

bodies = st.text(alphabet="0123456789", min_size=10, max_size=10).map(lambda rest: "2" + rest)


@given(bodies)
def test_every_verhoeff_valid_aadhaar_number_is_accepted(body):
    number = body + check_digit(body)
    assert vault.clean_aadhaar(number) == number
    assert vault.clean_aadhaar(f"{number[:4]} {number[4:8]}-{number[8:]}") == number


@given(bodies, st.data())
def test_any_single_digit_change_is_refused(body, data):
    number = body + check_digit(body)
    position = data.draw(st.integers(1, 11))  # the first digit stays 2-9
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]))
    with pytest.raises(vault.InvalidAadhaar):
        vault.clean_aadhaar(number[:position] + wrong + number[position + 1 :])


@given(bodies, st.data())
def test_any_adjacent_transposition_is_refused(body, data):
    number = body + check_digit(body)
    pairs = [i for i in range(1, 11) if number[i] != number[i + 1]]
    if not pairs:
        return
    i = data.draw(st.sampled_from(pairs))
    with pytest.raises(vault.InvalidAadhaar):
        vault.clean_aadhaar(number[:i] + number[i + 1] + number[i] + number[i + 2 :])


def test_the_fingerprint_is_keyed(settings):
    number = aadhaar_number()
    first = vault.fingerprint(number)
    assert first == vault.fingerprint(number)
    settings.AADHAAR_HMAC_KEY = "another-key"
    assert vault.fingerprint(number) != first


def test_masks_show_only_the_last_four_digits():
    assert vault.masked("1234") == "XXXX XXXX 1234"
    assert vault.masked_account("7890") == "XXXXXX7890"


@pytest.mark.django_db
def test_rotation_re_encrypts_every_entry_under_the_new_key(settings, enrol):
    old_key = settings.AADHAAR_VAULT_KEYS[0]
    number = aadhaar_number()
    enrol(member_input(aadhaar=number))
    new_key = Fernet.generate_key().decode()
    settings.AADHAAR_VAULT_KEYS = [new_key, old_key]

    out = io.StringIO()
    call_command("registry_rotate_vault", stdout=out)

    # One Aadhaar, the member's bank account, and the copy in the approved request's payload.
    assert "Re-encrypted 3 entries" in out.getvalue()
    settings.AADHAAR_VAULT_KEYS = [new_key]  # the old key is gone: all still readable
    entry = VaultEntry.objects.get()
    assert vault.decrypt(entry.ciphertext) == number
    assert entry.rotated_at is not None
    assert vault.decrypt(Member.objects.get().bank_account_cipher) == "33001234567890"
    with pytest.raises(InvalidToken):  # and the old key no longer opens it
        Fernet(old_key.encode()).decrypt(entry.ciphertext.encode())


def test_a_pending_request_is_still_approvable_after_rotation_and_dropping_the_old_key(
    settings, enrol, operator, verifier
):
    old_key = settings.AADHAAR_VAULT_KEYS[0]
    family = enrol()
    son = member_input(
        name_en="Mohan Lal",
        name_hi="मोहन लाल",
        gender="male",
        date_of_birth=date(1990, 7, 1),
        relation="son",
        marital_status="married",
        bank_account="44005555666677",
    )
    pending = services.submit_new_member(operator=operator, family=family, member=son)
    new_key = Fernet.generate_key().decode()
    settings.AADHAAR_VAULT_KEYS = [new_key, old_key]

    call_command("registry_rotate_vault", "--quiet")

    settings.AADHAAR_VAULT_KEYS = [new_key]  # the old key is gone before the verifier acts
    pending.refresh_from_db()
    with pytest.raises(InvalidToken):
        Fernet(old_key.encode()).decrypt(pending.payload["member"]["bank_account_cipher"].encode())
    services.approve_change(verifier=verifier, change=pending)
    added = family.members.get(relation="son")
    assert vault.decrypt(added.bank_account_cipher) == "44005555666677"
    assert added.masked_bank_account == "XXXXXX6677"
    assert vault.decrypt(added.aadhaar.ciphertext) == son.aadhaar


def test_rotation_re_encrypts_every_cipher_in_a_payload_and_nothing_else():
    from emitra.registry.management.commands.registry_rotate_vault import rotate_ciphers

    payload: dict[str, Any] = {
        "family": {"mobile": "9829055501"},
        "members": [
            {"name_en": "A", "bank_account_cipher": vault.encrypt("111111111"), "ifsc": "X"},
            {"name_en": "B", "bank_account_cipher": ""},
        ],
    }
    rotated, count = rotate_ciphers(payload)
    assert count == 1
    assert vault.decrypt(rotated["members"][0]["bank_account_cipher"]) == "111111111"
    assert rotated["family"] == payload["family"]
    assert rotated["members"][1] == payload["members"][1]


@pytest.mark.django_db
def test_no_table_holds_the_number_in_clear(enrol):
    from django.db import connection

    number = aadhaar_number()
    enrol(member_input(aadhaar=number))
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            for row in cursor.fetchall():
                assert number not in repr(row), table


def test_log_lines_mask_aadhaar_numbers_in_messages_and_fields():
    number = aadhaar_number()
    spaced = f"{number[:4]} {number[4:8]} {number[8:]}"
    record = logging.LogRecord(
        "emitra.registry", logging.INFO, __file__, 1, "enrolled %s / %s", (number, spaced), None
    )
    record.__dict__["aadhaar"] = number
    line = JsonFormatter().format(record)

    assert number not in line and spaced not in line
    assert json.loads(line)["event"].count(f"XXXX-XXXX-{number[-4:]}") == 2
