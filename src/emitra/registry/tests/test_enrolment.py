"""Enrolment and updates: the operator submits, the district society approves, history is
kept; bad input is refused with a clear message and leaves nothing behind."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db import DatabaseError, transaction

from emitra.accounts.roles import Role
from emitra.core.errors import Conflict, DomainError, InvalidInput, PermissionDenied
from emitra.core.verhoeff import is_valid
from emitra.registry import services, vault
from emitra.registry.models import (
    ChangeRequest,
    ChangeState,
    Family,
    HistoryEntry,
    Member,
    VaultEntry,
)

from .conftest import aadhaar_number, family_input, member_input

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int, int]:
    return (
        Family.objects.count(),
        Member.objects.count(),
        ChangeRequest.objects.count(),
        VaultEntry.objects.count(),
        HistoryEntry.objects.count(),
    )


def test_an_approved_enrolment_creates_the_family_with_ids_and_history(operator, verifier, geo):
    number = aadhaar_number()
    change = services.submit_enrolment(
        operator=operator,
        family=family_input(geo),
        members=[member_input(aadhaar=number)],
    )
    assert change.state == ChangeState.PENDING
    assert Family.objects.count() == 0  # nothing in the register before verification

    change = services.approve_change(verifier=verifier, change=change)

    family = Family.objects.get()
    assert change.family == family
    assert len(family.family_id) == 10 and is_valid(family.family_id)
    head = family.members.get()
    assert len(head.member_id) == 11 and is_valid(head.member_id)
    assert head.aadhaar is not None and head.aadhaar.masked == f"XXXX XXXX {number[-4:]}"
    assert vault.decrypt(head.aadhaar.ciphertext) == number
    assert head.masked_bank_account == "XXXXXX7890"
    assert vault.decrypt(head.bank_account_cipher) == "33001234567890"
    actions = list(HistoryEntry.objects.values_list("action", flat=True))
    assert actions == ["family_created", "member_added"]
    added = HistoryEntry.objects.get(action="member_added")
    assert added.submitted_by == operator and added.approved_by == verifier
    assert added.after["aadhaar_token"] == head.aadhaar.token
    assert number not in str(added.after) and number not in str(change.payload)


def test_a_gram_panchayat_of_another_district_is_refused(operator, geo):
    before = counts()
    with pytest.raises(InvalidInput) as refused:
        services.submit_enrolment(
            operator=operator,
            family=family_input(geo, block=None, gram_panchayat=geo["ajmer_gp"]),
            members=[member_input()],
        )
    assert refused.value.code == "registry.gp_district"
    assert "not in the chosen district" in str(refused.value.message)
    assert counts() == before


def test_a_village_and_a_town_together_are_refused(operator, geo):
    with pytest.raises(InvalidInput, match="either a gram panchayat"):
        services.submit_enrolment(
            operator=operator,
            family=family_input(geo, urban_body=geo["town"]),
            members=[member_input()],
        )
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    "bad", ["1234", "123456789012", "012345678901", "2345678901234", "23456789012a"]
)
def test_an_invalid_aadhaar_number_is_refused_and_nothing_is_stored(operator, geo, bad):
    with pytest.raises(InvalidInput) as refused:
        services.submit_enrolment(
            operator=operator, family=family_input(geo), members=[member_input(aadhaar=bad)]
        )
    assert refused.value.code == "registry.invalid_aadhaar"
    assert "not a valid Aadhaar number" in str(refused.value.message)
    assert counts() == (0, 0, 0, 0, 0)


def test_an_aadhaar_number_with_one_wrong_digit_is_refused(operator, geo):
    number = aadhaar_number()
    wrong = number[:5] + str((int(number[5]) + 1) % 10) + number[6:]
    with pytest.raises(InvalidInput, match="not a valid Aadhaar"):
        services.submit_enrolment(
            operator=operator, family=family_input(geo), members=[member_input(aadhaar=wrong)]
        )
    assert counts() == (0, 0, 0, 0, 0)


def test_a_person_already_in_a_family_cannot_join_another(enrol, operator, geo):
    number = aadhaar_number()
    first = enrol(member_input(aadhaar=number))
    before = counts()

    with pytest.raises(Conflict) as refused:
        services.submit_enrolment(
            operator=operator,
            family=family_input(geo, mobile="9829055502"),
            members=[member_input(name_en="Someone Else", aadhaar=number)],
        )
    assert refused.value.code == "registry.aadhaar_enrolled"
    assert "one family only" in str(refused.value.message)
    with pytest.raises(Conflict, match="one family only"):
        services.submit_new_member(
            operator=operator, family=first, member=member_input(relation="son", aadhaar=number)
        )
    assert counts() == before


def test_the_same_aadhaar_in_a_pending_request_is_refused(operator, geo):
    number = aadhaar_number()
    services.submit_enrolment(
        operator=operator, family=family_input(geo), members=[member_input(aadhaar=number)]
    )
    before = counts()
    with pytest.raises(Conflict, match="waiting for verification"):
        services.submit_enrolment(
            operator=operator,
            family=family_input(geo, mobile="9829055503"),
            members=[member_input(aadhaar=f"{number[:4]} {number[4:8]} {number[8:]}")],
        )
    assert counts() == before


def test_two_members_with_one_aadhaar_are_refused(operator, geo):
    number = aadhaar_number()
    with pytest.raises(InvalidInput, match="two members"):
        services.submit_enrolment(
            operator=operator,
            family=family_input(geo),
            members=[member_input(aadhaar=number), member_input(relation="son", aadhaar=number)],
        )
    assert counts() == (0, 0, 0, 0, 0)


def test_a_rejected_request_frees_its_aadhaar_and_keeps_the_reason(operator, verifier, geo):
    number = aadhaar_number()
    change = services.submit_enrolment(
        operator=operator, family=family_input(geo), members=[member_input(aadhaar=number)]
    )
    with pytest.raises(InvalidInput, match="why"):
        services.reject_change(verifier=verifier, change=change, reason="  ")

    services.reject_change(verifier=verifier, change=change, reason="Photo does not match")

    change.refresh_from_db()
    assert change.state == ChangeState.REJECTED and change.reason == "Photo does not match"
    assert Family.objects.count() == 0
    assert VaultEntry.objects.count() == 0  # no number kept for someone never registered
    assert '"bank_account_cipher": ""' in json.dumps(change.payload)  # nor a bank account
    assert '_cipher": "g' not in json.dumps(change.payload)  # (Fernet tokens start gAAAA)
    again = services.submit_enrolment(
        operator=operator, family=family_input(geo), members=[member_input(aadhaar=number)]
    )
    assert again.state == ChangeState.PENDING
    assert VaultEntry.objects.count() == 1


def test_a_rejected_request_keeps_a_number_an_application_form_refers_to(operator, verifier, geo):
    number = aadhaar_number()
    sealed = services.seal_aadhaar(number)  # written on an application form earlier
    change = services.submit_enrolment(
        operator=operator, family=family_input(geo), members=[member_input(aadhaar=number)]
    )
    services.reject_change(verifier=verifier, change=change, reason="Photo does not match")

    entry = VaultEntry.objects.get()
    assert entry.token == sealed.token and entry.pending_change_id is None
    assert vault.decrypt(entry.ciphertext) == number
    assert services.seal_aadhaar(number).token == sealed.token  # one entry per number


def test_only_the_family_districts_society_verifies(operator, make_user, geo):
    change = services.submit_enrolment(
        operator=operator, family=family_input(geo), members=[member_input()]
    )
    ajmer = make_user(Role.DISTRICT_ADMIN, district=geo["ajmer"])
    for outsider in (ajmer, operator, make_user(Role.STATE_ADMIN)):
        with pytest.raises(PermissionDenied):
            services.approve_change(verifier=outsider, change=change)
    change.refresh_from_db()
    assert change.state == ChangeState.PENDING
    assert Family.objects.count() == 0


def test_a_request_is_decided_once(operator, verifier, geo):
    change = services.submit_enrolment(
        operator=operator, family=family_input(geo), members=[member_input()]
    )
    services.approve_change(verifier=verifier, change=change)
    with pytest.raises(Conflict, match="already decided"):
        services.reject_change(verifier=verifier, change=change, reason="late")
    assert Family.objects.count() == 1


def test_only_an_operator_submits(verifier, geo):
    with pytest.raises(PermissionDenied):
        services.submit_enrolment(
            operator=verifier, family=family_input(geo), members=[member_input()]
        )
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"relation": "son"}, "registry.head"),
        ({"date_of_birth": date(2999, 1, 1)}, "registry.date_of_birth"),
        ({"disability_percent": 140}, "registry.disability"),
        ({"bank_account": "12ab"}, "registry.bank_account"),
        ({"ifsc": "nonsense"}, "registry.ifsc"),
        ({"name_hi": " "}, "registry.name"),
        ({"category": "vip"}, "registry.choice"),
    ],
)
def test_bad_member_details_are_refused(operator, geo, changes, code):
    with pytest.raises(DomainError) as refused:
        services.submit_enrolment(
            operator=operator, family=family_input(geo), members=[member_input(**changes)]
        )
    assert refused.value.code == code
    assert counts() == (0, 0, 0, 0, 0)


def test_an_update_keeps_before_and_after_and_a_stale_one_is_refused(enrol, operator, verifier):
    family = enrol()
    head = family.members.get()
    first = services.submit_member_update(
        operator=operator,
        member=head,
        changes=member_input(
            aadhaar="", bank_account="", annual_income=20_000_00, disability_percent=50
        ),
    )
    stale = services.submit_member_update(
        operator=operator, member=head, changes=member_input(aadhaar="", bank_account="")
    )
    services.approve_change(verifier=verifier, change=first)

    head.refresh_from_db()
    assert head.disability_percent == 50 and head.annual_income == 20_000_00
    assert head.masked_bank_account == "XXXXXX7890"  # kept: no new account given
    entry = HistoryEntry.objects.get(action="member_changed")
    assert entry.before["disability_percent"] == 0 and entry.after["disability_percent"] == 50
    assert entry.before["aadhaar_token"] == entry.after["aadhaar_token"] == head.aadhaar_id
    with pytest.raises(Conflict, match="changed after"):
        services.approve_change(verifier=verifier, change=stale)
    head.refresh_from_db()
    assert head.disability_percent == 50


def test_aadhaar_cannot_be_replaced_by_an_update(enrol, operator):
    head = enrol().members.get()
    with pytest.raises(InvalidInput, match="cannot be changed"):
        services.submit_member_update(
            operator=operator, member=head, changes=member_input(aadhaar=aadhaar_number())
        )


def test_history_is_append_only_in_the_database(enrol):
    enrol()
    entry = HistoryEntry.objects.first()
    assert entry is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        HistoryEntry.objects.filter(pk=entry.pk).update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        HistoryEntry.objects.filter(pk=entry.pk).delete()
