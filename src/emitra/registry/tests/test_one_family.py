"""One person, one family, also without an Aadhaar number: Aadhaar is required from age 5, and
a child under 5 without one is matched on name, date of birth, gender and father's name —
when the request is submitted and again when it is approved."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from emitra.core.errors import DomainError
from emitra.registry import services
from emitra.registry.models import ChangeRequest, ChangeState, Member, VaultEntry

from .conftest import aadhaar_number, member_input

pytestmark = pytest.mark.django_db


def years_ago(years: int, *, plus_days: int = 0) -> date:
    today = timezone.localdate()
    try:
        born = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        born = today.replace(year=today.year - years, day=28)
    return born + timedelta(days=plus_days)


def child(**changes: Any) -> Any:
    values: dict[str, Any] = {
        "name_en": "Aarav Sharma",
        "name_hi": "आरव शर्मा",
        "relative_name_en": "Vikas Sharma",
        "gender": "male",
        "date_of_birth": years_ago(3),
        "relation": "son",
        "category": "general",
        "marital_status": "unmarried",
        "occupation": "child",
        "annual_income": 0,
        "aadhaar": "",
        "bank_account": "",
        "ifsc": "",
    }
    values.update(changes)
    return member_input(**values)


def refused(code: str, act: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        act()
    assert caught.value.code == code, caught.value.code
    return caught.value


def test_a_member_aged_5_or_more_needs_an_aadhaar_number(enrol, operator, geo):
    from .conftest import family_input

    error = refused(
        "registry.aadhaar_required",
        lambda: services.submit_enrolment(
            operator=operator, family=family_input(geo), members=[member_input(aadhaar="")]
        ),
    )
    assert "required for everyone aged 5 or more" in str(error.message)
    family = enrol()
    refused(
        "registry.aadhaar_required",
        lambda: services.submit_new_member(
            operator=operator, family=family, member=child(date_of_birth=years_ago(5))
        ),
    )
    assert ChangeRequest.objects.count() == 1 and VaultEntry.objects.count() == 1

    younger = child(date_of_birth=years_ago(5, plus_days=1))  # 4 years and 364 days
    assert services.submit_new_member(operator=operator, family=family, member=younger)


def test_a_child_without_aadhaar_needs_the_fathers_name(enrol, operator):
    family = enrol()
    error = refused(
        "registry.relative_name_required",
        lambda: services.submit_new_member(
            operator=operator, family=family, member=child(relative_name_en=" ")
        ),
    )
    assert "father's (or mother's) name" in str(error.message)
    assert ChangeRequest.objects.count() == 1


def test_a_child_without_aadhaar_cannot_join_a_second_family(enrol, operator, verifier):
    first, second = enrol(), enrol()
    change = services.submit_new_member(operator=operator, family=first, member=child())
    services.approve_change(verifier=verifier, change=change)

    error = refused(
        "registry.member_enrolled",
        lambda: services.submit_new_member(
            operator=operator,
            family=second,
            member=child(name_en="  aarav   SHARMA ", relative_name_en="vikas sharma"),
        ),
    )
    assert "A person can belong to one family only" in str(error.message)
    assert second.members.count() == 1
    assert ChangeRequest.objects.filter(family=second, kind="add_member").count() == 0


def test_a_child_waiting_for_verification_cannot_be_submitted_for_another_family(enrol, operator):
    first, second = enrol(), enrol()
    services.submit_new_member(operator=operator, family=first, member=child())

    refused(
        "registry.member_pending",
        lambda: services.submit_new_member(operator=operator, family=second, member=child()),
    )
    assert ChangeRequest.objects.filter(family=second, kind="add_member").count() == 0


def test_the_same_child_twice_in_one_enrolment_is_refused(operator, geo):
    from .conftest import family_input

    refused(
        "registry.member_repeated",
        lambda: services.submit_enrolment(
            operator=operator,
            family=family_input(geo),
            members=[member_input(), child(), child()],
        ),
    )
    assert ChangeRequest.objects.count() == 0 and VaultEntry.objects.count() == 0


def test_a_person_with_aadhaar_matching_a_child_enrolled_without_is_refused(
    enrol, operator, verifier
):
    first, second = enrol(), enrol()
    services.approve_change(
        verifier=verifier,
        change=services.submit_new_member(operator=operator, family=first, member=child()),
    )
    refused(
        "registry.member_enrolled",
        lambda: services.submit_new_member(
            operator=operator, family=second, member=child(aadhaar=aadhaar_number())
        ),
    )


def test_people_told_apart_by_aadhaar_or_fathers_name_are_all_enrolled(enrol, operator, verifier):
    first, second = enrol(), enrol()  # two heads "Sita Devi", same birthday, own Aadhaar each
    services.approve_change(
        verifier=verifier,
        change=services.submit_new_member(operator=operator, family=first, member=child()),
    )
    another = child(relative_name_en="Manoj Sharma")  # same name and birthday, another father
    services.approve_change(
        verifier=verifier,
        change=services.submit_new_member(operator=operator, family=second, member=another),
    )
    assert Member.objects.filter(name_en="Aarav Sharma").count() == 2
    assert Member.objects.filter(name_en="Sita Devi").count() == 2


def test_the_check_runs_again_at_approval(enrol, operator, verifier):
    first, second = enrol(), enrol()
    for_first = services.submit_new_member(operator=operator, family=first, member=child())
    # Submitted at the same moment elsewhere, so the submission check could not see it:
    for_second = services.submit_new_member(
        operator=operator, family=second, member=child(name_en="Someone Else")
    )
    payload = for_second.payload
    payload["member"]["name_en"] = "Aarav Sharma"
    ChangeRequest.objects.filter(pk=for_second.pk).update(payload=payload)
    for_second.refresh_from_db()
    services.approve_change(verifier=verifier, change=for_first)

    refused(
        "registry.member_enrolled",
        lambda: services.approve_change(verifier=verifier, change=for_second),
    )
    for_second.refresh_from_db()
    assert for_second.state == ChangeState.PENDING  # nothing applied; the verifier rejects it
    assert second.members.count() == 1


def test_a_request_without_aadhaar_for_an_adult_is_refused_at_approval(enrol, operator, verifier):
    family = enrol()
    change = services.submit_new_member(
        operator=operator, family=family, member=child(date_of_birth=years_ago(4))
    )
    payload = change.payload  # as if submitted before the rule, for a 30-year-old
    payload["member"]["date_of_birth"] = years_ago(30).isoformat()
    ChangeRequest.objects.filter(pk=change.pk).update(payload=payload)
    change.refresh_from_db()

    refused(
        "registry.aadhaar_required",
        lambda: services.approve_change(verifier=verifier, change=change),
    )
    assert family.members.count() == 1


def test_a_member_without_aadhaar_can_still_be_updated(enrol, operator, verifier):
    family = enrol()
    services.approve_change(
        verifier=verifier,
        change=services.submit_new_member(operator=operator, family=family, member=child()),
    )
    kid = family.members.get(relation="son")
    update = services.submit_member_update(
        operator=operator, member=kid, changes=child(name_hi="आरव कुमार शर्मा")
    )
    services.approve_change(verifier=verifier, change=update)
    kid.refresh_from_db()
    assert kid.name_hi == "आरव कुमार शर्मा" and kid.aadhaar_id is None
