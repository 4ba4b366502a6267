"""The operator's wallet pages: balances, the top-up form and its refusals, lists, CSV, and
who may see what."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from emitra.accounts.roles import Role
from emitra.ledger import selectors as ledger_selectors
from emitra.ledger import services as ledger
from emitra.payments import services
from emitra.payments.errors import TopUpKeyReused
from emitra.payments.models import TopUp, TopUpState
from emitra.payments.tests.helpers import shown

NOT_OPERATORS = [role for role in Role.values if role != Role.OPERATOR]


@pytest.fixture
def client_of(client_as):
    def login(user):
        return client_as(user.role, user=user)

    return login


def form_key(response) -> str:
    return str(response.context["form"]["key"].value())


@pytest.mark.django_db
def test_an_operator_without_a_wallet_gets_one_on_first_visit(client_of, operator):
    assert ledger_selectors.wallet_of(operator.pk) is None

    response = client_of(operator).get("/wallet/")

    assert response.status_code == 200
    wallet = ledger_selectors.wallet_of(operator.pk)
    assert wallet is not None
    assert (wallet.floor, wallet.balance) == (0, 0)
    assert response.context["balances"].available == 0
    assert "₹0.00" in response.content.decode()


@pytest.mark.django_db
def test_the_wallet_shows_available_and_posted_balances(client_of, operator):
    wallet = services.ensure_wallet(operator=operator)
    ledger.transfer(
        legs=[ledger.Leg(services.gateway_clearing(), wallet, 2_000_00)],
        kind="topup",
        scope="test",
        key="fund-1",
    )
    ledger.hold(
        account=wallet, amount=250_00, scope="test", key="hold-1", expires_in=timedelta(hours=1)
    )

    body = client_of(operator).get("/wallet/").content.decode()

    assert '<dd class="amount" id="available-balance">₹1,750.00</dd>' in body
    assert '<dd id="posted-balance">₹2,000.00</dd>' in body


@pytest.mark.django_db
def test_operators_see_a_wallet_menu_item_and_others_do_not(client_of, operator, make_user):
    assert 'href="/wallet/"' in client_of(operator).get("/").content.decode()
    citizen = make_user(Role.CITIZEN)
    assert 'href="/wallet/"' not in client_of(citizen).get("/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message", "params"),
    [
        ("99.99", "The smallest top-up is %(amount)s.", {"amount": "₹100.00"}),
        ("2,00,000.01", "The largest top-up is %(amount)s.", {"amount": "₹2,00,000.00"}),
        ("12.345", "“%(value)s” is not an amount in rupees.", {"value": "12.345"}),
        ("-500", "“%(value)s” is not an amount in rupees.", {"value": "-500"}),
        ("five hundred", "“%(value)s” is not an amount in rupees.", {"value": "five hundred"}),
    ],
)
def test_a_bad_amount_is_refused_with_a_translated_message_and_nothing_is_created(
    client_of, operator, typed, message, params
):
    client = client_of(operator)
    key = form_key(client.get("/wallet/"))

    response = client.post("/wallet/", {"amount": typed, "key": key})

    assert response.status_code == 422
    assert shown(message, **params) in response.content.decode()
    assert not TopUp.objects.exists()


@pytest.mark.django_db
def test_refusals_are_in_the_operators_language(client_of, make_user):
    operator = make_user(Role.OPERATOR, preferred_language="en")
    client = client_of(operator)

    response = client.post("/wallet/", {"amount": "50", "key": form_key(client.get("/wallet/"))})

    assert "The smallest top-up is ₹100.00." in response.content.decode()


@pytest.mark.django_db
def test_the_limits_themselves_are_accepted():
    assert services.check_amount(100_00) == 100_00
    assert services.check_amount(2_00_000_00) == 2_00_000_00


@pytest.mark.django_db
def test_an_expired_form_is_refused_with_a_fresh_key(client_of, operator):
    client = client_of(operator)

    response = client.post("/wallet/", {"amount": "500"})

    assert response.status_code == 422
    assert shown("This form has expired. Please enter the amount again.") in (
        response.content.decode()
    )
    assert form_key(response)
    assert not TopUp.objects.exists()


@pytest.mark.simulators
@pytest.mark.django_db
def test_the_same_form_submitted_twice_is_one_topup(client_of, operator, payment_gateway):
    client = client_of(operator)
    key = form_key(client.get("/wallet/"))

    first = client.post("/wallet/", {"amount": "500", "key": key})
    second = client.post("/wallet/", {"amount": "500", "key": key})

    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]
    assert first["Location"].startswith(f"{payment_gateway.url}/pay/")
    topup = TopUp.objects.get()
    assert (topup.state, topup.amount) == (TopUpState.PENDING, 500_00)


@pytest.mark.django_db
def test_the_same_key_with_another_amount_is_refused(operator):
    services.create_topup(operator=operator, amount=500_00, key="one-key-twice")

    with pytest.raises(TopUpKeyReused):
        services.create_topup(operator=operator, amount=600_00, key="one-key-twice")
    assert TopUp.objects.count() == 1


@pytest.mark.simulators
@pytest.mark.django_db
def test_a_gateway_outage_shows_a_translated_error_and_keeps_the_topup_to_check(
    client_of, operator, payment_gateway
):
    client = client_of(operator)
    payment_gateway.faults(fail_create=1)

    response = client.post("/wallet/", {"amount": "500", "key": form_key(client.get("/wallet/"))})

    assert response.status_code == 503
    body = response.content.decode()
    assert shown("The payment gateway did not answer. Please try again in a minute.") in body
    topup = TopUp.objects.get()
    assert topup.state == TopUpState.CREATED
    assert f"/wallet/topups/{topup.number}/check/" in body


@pytest.mark.django_db
def test_the_wallet_form_may_post_to_the_gateway_and_nowhere_else(client_of, operator, settings):
    settings.PAYMENT_GATEWAY_URL = "https://pay.example.in/api"

    policy = client_of(operator).get("/wallet/")["Content-Security-Policy"]

    form_action = next(d for d in policy.split(";") if d.strip().startswith("form-action"))
    assert form_action.split()[1:] == ["'self'", "https://pay.example.in"]
    assert "script-src 'self'" in policy


@pytest.mark.django_db
def test_an_operator_cannot_see_or_check_another_operators_topup(
    client_of, operator, other_operator
):
    theirs = services.create_topup(operator=other_operator, amount=500_00, key="their-top-up")
    client = client_of(operator)

    assert client.get(f"/wallet/topups/{theirs.number}/").status_code == 404
    assert client.post(f"/wallet/topups/{theirs.number}/check/").status_code == 404
    assert client.get("/wallet/topups/TOP-2026-27-999999999/").status_code == 404
    assert theirs.number not in client.get("/wallet/").content.decode()
    assert theirs.number not in client.get("/wallet/?format=csv").content.decode("utf-8-sig")


@pytest.mark.django_db
@pytest.mark.parametrize("role", NOT_OPERATORS)
def test_other_roles_are_refused_the_topup_pages(client_as, operator, role):
    topup = services.create_topup(operator=operator, amount=500_00, key="an-operator-top-up")
    client = client_as(role)

    assert client.get("/wallet/").status_code == 403
    assert client.get(f"/wallet/topups/{topup.number}/").status_code == 403
    assert client.post(f"/wallet/topups/{topup.number}/check/").status_code == 403


@pytest.mark.django_db
def test_the_wallet_asks_anonymous_visitors_to_log_in(client):
    response = client.get("/wallet/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def _finish(topup: TopUp, state: str) -> None:
    """Mark a top-up failed (a test shortcut for a state only the gateway can give)."""
    TopUp.objects.filter(pk=topup.pk).update(
        state=state, failure_reason="declined", completed_at=timezone.now()
    )


@pytest.mark.django_db
def test_recent_topups_filter_by_state_and_export_as_csv(client_of, operator):
    pending = services.create_topup(operator=operator, amount=500_00, key="still-pending")
    failed = services.create_topup(operator=operator, amount=1_234_50, key="failed-one")
    _finish(failed, TopUpState.FAILED)
    client = client_of(operator)

    everything = client.get("/wallet/")
    only_failed = client.get("/wallet/", {"state": "failed"})
    exported = client.get("/wallet/", {"state": "failed", "format": "csv"})

    assert [t.number for t in everything.context["recent"]] == [failed.number, pending.number]
    assert [t.number for t in only_failed.context["recent"]] == [failed.number]
    assert exported["Content-Type"].startswith("text/csv")
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [(r["number"], r["amount"], r["state"]) for r in rows] == [
        (failed.number, "1234.50", "failed")
    ]
    assert rows[0]["completed_at"]


@pytest.mark.django_db
def test_the_outcome_page_shows_what_the_gateway_confirmed_not_the_query_string(
    client_of, operator
):
    topup = services.create_topup(operator=operator, amount=500_00, key="return-visit")

    page = client_of(operator).get(
        f"/wallet/topups/{topup.number}/", {"status": "paid", "order_id": "x"}
    )

    body = page.content.decode()
    assert shown("Pending: waiting for the payment gateway to confirm the payment.") in body
    assert "was added to your wallet" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STATE_ADMIN, Role.AUDITOR])
def test_the_state_reads_top_ups_and_callbacks_in_the_back_office(client_as, operator, role):
    topup = services.create_topup(operator=operator, amount=500_00, key="back-office-view")
    client = client_as(role)

    listing = client.get("/admin/payments/topup/")

    assert listing.status_code == 200
    assert topup.number in listing.content.decode()
    assert client.get("/admin/payments/gatewaycallback/").status_code == 200
    assert client.get(f"/admin/payments/topup/{topup.pk}/delete/").status_code == 403
