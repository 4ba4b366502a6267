"""A citizen applies online: the form and documents are checked and kept with a fee order,
the gateway collects the fee, and the application is filed from the citizen's online
account — or, if it can no longer be filed, the fee is owed back. Nothing is filed before
the money arrives, and nothing is charged twice."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from emitra.accounts.roles import Role
from emitra.applications.errors import FormChanged, FormInvalid
from emitra.applications.models import Application
from emitra.applications.tests.conftest import domicile, jaipur, revenue, sanganer  # noqa: F401
from emitra.applications.tests.factories import certificate_form, form_data, good_files
from emitra.billpay.services import CITIZEN_REFUNDS, online_account
from emitra.billpay.tests.conftest import assert_ledger_ok
from emitra.catalog.models import ServiceVersion
from emitra.catalog.tests import factories
from emitra.documents.models import Document
from emitra.ledger import chart
from emitra.ledger.models import Account
from emitra.ledger.selectors import posted_balance
from emitra.payments.models import CallbackOutcome
from emitra.portal import services
from emitra.portal.models import OnlineFee, OnlineState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def applicant(make_user, jaipur):  # noqa: F811
    return make_user(Role.CITIZEN, full_name="Sita Devi", mobile="9829012345", district=jaipur)


@pytest.fixture
def apply(applicant, domicile, jaipur, sanganer, fake_gateway):  # noqa: F811
    def start(key: str | None = None, **data: str) -> Any:
        return services.start_application(
            citizen=applicant,
            service=domicile,
            data=form_data(jaipur, sanganer, **data),
            files=good_files(),
            key=key or uuid.uuid4().hex,
            site_url="http://testserver",
        )

    return start


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["emitra_lang"] = "en"
    return client


def refunds_owed() -> int:
    account = Account.objects.filter(code=CITIZEN_REFUNDS).first()
    return posted_balance(account) if account else 0


def test_the_application_is_filed_only_when_the_fee_arrives(apply, applicant, call_back):
    order = apply()

    assert isinstance(order, OnlineFee) and order.state == OnlineState.PENDING
    assert order.total > 0 and set(order.documents) >= {"photo", "doc_jan_aadhaar"}
    assert not Application.objects.exists()

    response = call_back(order)

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.state == OnlineState.PAID
    application = order.application
    assert application is not None
    assert application.channel == "portal" and application.citizen == applicant
    assert application.amount_paid == order.total
    assert application.documents.count() == len(order.documents)
    assert posted_balance(online_account(applicant)) == 0  # all of it went to the department
    assert posted_balance(chart.gateway_clearing()) == -order.total
    assert refunds_owed() == 0
    assert_ledger_ok()
    home = signed_in(applicant).get("/my/").content.decode()
    assert f"/applications/{application.number}/receipt.pdf" in home  # "My documents"
    assert f"/my/fees/{order.number}/" in home


def test_a_replayed_callback_files_nothing_twice(apply, call_back):
    order = apply()
    call_back(order)

    again = call_back(order)

    assert again.json()["outcome"] == CallbackOutcome.DUPLICATE
    assert Application.objects.count() == 1
    assert_ledger_ok()


def test_the_same_key_again_returns_the_first_order(apply, fake_gateway):
    first = apply(key="same-key-0001")
    second = apply(key="same-key-0001")

    assert second.pk == first.pk
    assert len(fake_gateway) == 1
    assert OnlineFee.objects.count() == 1


def test_a_failed_payment_files_nothing_and_takes_nothing(apply, applicant, call_back):
    order = apply()

    call_back(order, "failed")

    order.refresh_from_db()
    assert order.state == OnlineState.FAILED and order.application is None
    assert not Application.objects.exists()
    assert posted_balance(online_account(applicant)) == 0
    assert_ledger_ok()


def test_a_form_changed_while_paying_is_refunded(apply, domicile, call_back):  # noqa: F811
    order = apply()
    now = timezone.now()
    ServiceVersion.objects.filter(service=domicile).update(effective_to=now)  # a new version:
    factories.version(domicile, number=2, effective_from=now, form_schema=certificate_form())

    call_back(order)

    order.refresh_from_db()
    assert order.state == OnlineState.REFUNDED
    said = set()
    for language in ("hi", "en"):  # the gateway's call has no language of its own
        with translation.override(language):
            said.add(str(FormChanged().message))
    assert order.failure_reason in said
    assert not Application.objects.exists()
    assert refunds_owed() == order.total  # owed back, recorded in the ledger
    assert_ledger_ok()


def test_a_bad_form_keeps_nothing(apply):
    with pytest.raises(FormInvalid) as refused:
        apply(mobile="12345")

    assert "mobile" in refused.value.errors
    assert not OnlineFee.objects.exists()
    assert not Document.objects.exists()


def test_the_form_page_sends_the_citizen_to_pay(
    applicant,
    domicile,  # noqa: F811
    jaipur,  # noqa: F811
    sanganer,  # noqa: F811
    fake_gateway,
):
    client = signed_in(applicant)
    listed = client.get("/my/apply/")
    assert 'href="/my/apply/domicile-certificate/"' in listed.content.decode()
    page = client.get("/my/apply/domicile-certificate/")
    assert page.status_code == 200
    assert 'id="fee"' in page.content.decode()

    posted = client.post(
        "/my/apply/domicile-certificate/",
        {**form_data(jaipur, sanganer), **good_files(), "key": uuid.uuid4().hex},
    )

    assert posted.status_code == 303
    assert posted["Location"].startswith("http://gateway.test/pay/")
    order = OnlineFee.objects.get()
    status = client.get(f"/my/fees/{order.number}/")
    assert status.status_code == 200
    assert "Waiting for the payment gateway" in status.content.decode()


def test_a_bad_form_page_says_what_is_wrong_and_keeps_the_key(applicant, domicile, fake_gateway):  # noqa: F811
    client = signed_in(applicant)

    posted = client.post("/my/apply/domicile-certificate/", {"key": "kept-key-0001"})

    assert posted.status_code == 422
    body = posted.content.decode()
    assert 'id="errors"' in body and 'value="kept-key-0001"' in body
    assert not OnlineFee.objects.exists()


def test_another_citizens_fee_order_is_not_found(apply, make_user):
    order = apply()
    other = make_user(Role.CITIZEN, full_name="Other", mobile="9829099999")
    client = signed_in(other)

    assert client.get(f"/my/fees/{order.number}/").status_code == 404
    assert client.post(f"/my/fees/{order.number}/check/").status_code == 404


def test_an_aadhaar_number_waits_for_the_fee_only_as_a_vault_token(apply, call_back):
    from emitra.applications.tests.test_identity_numbers import assert_nowhere_in_the_database
    from emitra.registry.models import VaultEntry
    from emitra.registry.tests.conftest import aadhaar_number

    number = aadhaar_number()
    order = apply(aadhaar=number)
    entry = VaultEntry.objects.get()
    assert order.form_data["aadhaar"] == {"vault": entry.token, "last4": number[-4:]}

    call_back(order)

    application = Application.objects.get()
    assert application.form_data["aadhaar"] == order.form_data["aadhaar"]
    assert VaultEntry.objects.count() == 1
    assert_nowhere_in_the_database(number)
