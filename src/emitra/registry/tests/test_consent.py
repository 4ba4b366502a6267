"""Consent-based prefill: an OTP to the family's registered mobile, a grant of ~15 minutes,
prefilled values, and a record of every access that the family itself can read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from emitra.accounts.roles import Role
from emitra.core import outbox
from emitra.core.errors import InvalidInput, NotFound
from emitra.core.models import OutboxMessage
from emitra.notifications.models import SentSms
from emitra.registry import selectors, services
from emitra.registry.models import AccessRecord, ConsentGrant, ConsentRequest

from .conftest import member_input, queued_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(enrol):
    return enrol(
        member_input(),
        member_input(
            name_en="Mohan Lal",
            name_hi="मोहन लाल",
            relation="son",
            gender="male",
            marital_status="married",
            occupation="farmer",
            annual_income=24_000_00,
            bank_account="",
            ifsc="",
        ),
    )


def ask(operator, family, purpose="application", member_id=""):
    return services.request_consent(
        requester=operator, family_id=family.family_id, purpose=purpose, member_id=member_id
    )


def test_the_otp_goes_to_the_familys_mobile_and_a_correct_code_grants_consent(operator, family):
    asked = ask(operator, family)
    message = OutboxMessage.objects.get(topic="notifications.sms")
    assert message.payload["to"] == family.mobile
    assert message.payload["template"] == "registry_consent_otp"
    assert message.payload["sensitive"] is True
    assert asked.code_hash and queued_code(family.mobile) not in asked.code_hash

    grant = services.verify_consent(
        requester=operator, consent=asked, code=queued_code(family.mobile)
    )

    assert grant.family == family and grant.requester == operator
    assert timedelta(minutes=14) < grant.expires_at - timezone.now() <= timedelta(minutes=15)
    with pytest.raises(InvalidInput, match="already used"):
        services.verify_consent(requester=operator, consent=asked, code="000000")


def test_prefill_gives_form_values_and_records_the_access(operator, family):
    asked = ask(operator, family)
    grant = services.verify_consent(
        requester=operator, consent=asked, code=queued_code(family.mobile)
    )

    values = selectors.prefill_for(grant)

    head = family.members.get(relation="head")
    assert values["applicant_name"] == "Sita Devi"
    assert values["applicant_name_hi"] == "सीता देवी"
    assert values["relative_name"] == "Ram Prasad"
    assert values["date_of_birth"] == "1960-03-14"
    assert values["gender"] == "female"
    assert values["category"] == "obc" and values["caste_category"] == "obc"
    assert values["annual_income"] == 54_000  # the family's: 30,000 + 24,000
    assert values["jan_aadhaar"] == family.family_id and values["member_id"] == head.member_id
    assert values["district"] == "jaipur" and values["block"] == "900001"
    assert values["gram_panchayat"] == "910001" and values["pincode"] == "303301"
    assert values["aadhaar_masked"].startswith("XXXX XXXX ")
    assert values["bank_account_masked"] == "XXXXXX7890"
    son = family.members.get(relation="son")
    assert selectors.prefill_for(grant, member_id=son.member_id)["applicant_name"] == "Mohan Lal"
    records = list(AccessRecord.objects.order_by("id"))
    assert [(r.accessor, r.purpose, r.what, r.member) for r in records] == [
        (operator, "application", "prefill", head),
        (operator, "application", "prefill", son),
    ]


def test_a_grant_for_one_member_covers_only_that_member(operator, family):
    son = family.members.get(relation="son")
    asked = ask(operator, family, member_id=son.member_id)
    grant = services.verify_consent(
        requester=operator, consent=asked, code=queued_code(family.mobile)
    )
    assert selectors.prefill_for(grant)["member_id"] == son.member_id
    head = family.members.get(relation="head")
    with pytest.raises(InvalidInput, match="does not cover"):
        selectors.prefill_for(grant, member_id=head.member_id)


def test_a_wrong_otp_is_refused_and_counted(operator, family):
    asked = ask(operator, family)
    code = queued_code(family.mobile)
    wrong = "000000" if code != "000000" else "111111"

    with pytest.raises(InvalidInput) as refused:
        services.verify_consent(requester=operator, consent=asked, code=wrong)

    assert refused.value.code == "registry.otp_wrong"
    assert str(refused.value.message) == "The OTP is not correct."
    asked.refresh_from_db()
    assert asked.attempts == 1 and asked.used_at is None
    assert ConsentGrant.objects.count() == 0


def test_five_wrong_otps_lock_the_request(operator, family):
    asked = ask(operator, family)
    code = queued_code(family.mobile)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(InvalidInput):
            services.verify_consent(requester=operator, consent=asked, code=wrong)
    with pytest.raises(InvalidInput, match="Too many wrong attempts"):
        services.verify_consent(requester=operator, consent=asked, code=code)
    assert ConsentGrant.objects.count() == 0


def test_an_expired_otp_is_refused(operator, family):
    asked = ask(operator, family)
    ConsentRequest.objects.filter(pk=asked.pk).update(expires_at=timezone.now())
    with pytest.raises(InvalidInput, match="expired"):
        services.verify_consent(requester=operator, consent=asked, code=queued_code(family.mobile))
    assert ConsentGrant.objects.count() == 0


def test_an_expired_grant_reads_nothing_and_records_nothing(operator, family):
    asked = ask(operator, family)
    grant = services.verify_consent(
        requester=operator, consent=asked, code=queued_code(family.mobile)
    )
    ConsentGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now())
    grant.refresh_from_db()

    with pytest.raises(services.ConsentExpired):
        selectors.prefill_for(grant)
    with pytest.raises(services.ConsentExpired):
        services.live_grant(requester=operator, token=grant.token)
    assert AccessRecord.objects.count() == 0


def test_another_operator_cannot_use_the_grant(operator, family, make_user):
    asked = ask(operator, family)
    other = make_user(Role.OPERATOR)
    with pytest.raises(NotFound):
        services.verify_consent(requester=other, consent=asked, code=queued_code(family.mobile))
    grant = services.verify_consent(
        requester=operator, consent=asked, code=queued_code(family.mobile)
    )
    with pytest.raises(NotFound):
        services.live_grant(requester=other, token=grant.token)


def test_an_unknown_family_id_is_refused(operator, family):
    with pytest.raises(NotFound, match="No family"):
        services.request_consent(requester=operator, family_id="1234567890", purpose="schemes")
    assert ConsentRequest.objects.count() == 0


def test_otps_per_family_are_rate_limited(operator, family):
    for _ in range(3):
        ask(operator, family)
    with pytest.raises(InvalidInput, match="Too many OTP requests"):
        ask(operator, family)
    assert ConsentRequest.objects.count() == 3


def test_the_consent_sms_reaches_the_simulator_in_both_languages(operator, family, sms_gateway):
    OutboxMessage.objects.create(id=10**12 + 777_000, topic="tests.id_spacer", status="done")
    ask(operator, family)
    code = queued_code(family.mobile)
    assert outbox.run_due() == 1

    sms = sms_gateway.messages(family.mobile)[0]  # newest first; the simulator is shared
    assert code in sms["text"] and "Jan Aadhaar" in sms["text"]
    assert SentSms.objects.get().text == ""  # an OTP is never kept


def test_the_citizen_sees_who_read_the_familys_data(operator, family, client, make_user):
    asked = ask(operator, family)
    grant = services.verify_consent(
        requester=operator, consent=asked, code=queued_code(family.mobile)
    )
    selectors.prefill_for(grant)
    citizen = make_user(Role.CITIZEN, mobile=family.mobile, password=None)
    stranger = make_user(Role.CITIZEN, mobile="9829099999", password=None)

    client.cookies["emitra_lang"] = "en"
    client.force_login(citizen)
    page = client.get("/registry/my-family/").content.decode()
    assert family.family_id in page
    assert "Ramesh Kumar" in page and "Fill an application form" in page
    assert "A member&#x27;s details for an application form" in page  # a label, not a code
    assert "<td>prefill</td>" not in page
    assert "JANCR-" in page  # the changes to the record, too
    assert "Chiranjeevi" in page  # and the schemes the family may claim

    client.force_login(stranger)
    page = client.get("/registry/my-family/").content.decode()
    assert family.family_id not in page
    assert "No family is registered" in page
