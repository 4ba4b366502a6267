"""The portal's pages: citizens only, their own things only; the pay form sends the browser
to the gateway's page; the web app's manifest, service worker and offline page."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from emitra.accounts.roles import Role
from emitra.billpay.models import FetchedBill
from emitra.portal import services
from emitra.portal.models import OnlineBill

PAYS = "1403567890"
CITIZEN_PAGES = ["/my/", "/my/bills/"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [Role.OPERATOR, Role.STATE_ADMIN, Role.DISTRICT_ADMIN, Role.DEPARTMENT_OFFICER, Role.AUDITOR],
)
def test_other_roles_are_refused(client_as, role):
    client = client_as(role)
    for url in CITIZEN_PAGES:
        assert client.get(url).status_code == 403, url


@pytest.mark.django_db
def test_visitors_are_sent_to_log_in(client):
    response = client.get("/my/")
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


@pytest.mark.django_db
def test_the_home_page_lists_the_citizens_own_things(citizen_client):
    response = citizen_client.get("/my/")
    assert response.status_code == 200
    body = response.content.decode()
    for link in ('href="/my/bills/"', 'href="/registry/my-family/"', 'rel="manifest"'):
        assert link in body
    assert "portal/app.js" in body


@pytest.mark.simulators
@pytest.mark.django_db
def test_the_pay_form_fetches_the_bill_and_sends_the_citizen_to_the_gateway(
    biller, citizen_client, phed, fake_gateway
):
    shown = citizen_client.post("/my/bills/", {"step": "fetch", "biller": "phed", "consumer": PAYS})
    assert shown.status_code == 200
    fetched = FetchedBill.objects.get()
    assert 'id="bill-pay"' in shown.content.decode()
    # The form's answer redirects to the gateway: the page's CSP must allow that.
    assert "http://gateway.test" in shown["Content-Security-Policy"]
    key = shown.context["pay_form"].initial["key"]

    paid = citizen_client.post(
        "/my/bills/",
        {"step": "pay", "fetched": fetched.pk, "amount": f"{fetched.amount / 100:.2f}", "key": key},
    )

    assert paid.status_code == 303
    assert paid["Location"].startswith("http://gateway.test/pay/pgo_")


@pytest.mark.simulators
@pytest.mark.django_db
def test_another_citizens_order_and_receipt_are_unknown(
    biller, citizen, phed, fake_gateway, make_user
):
    fetched = services.fetch_bill(citizen=citizen, biller=phed, consumer=PAYS)
    order = services.start_bill_payment(
        citizen=citizen, fetched=fetched, amount=fetched.amount, key="k" * 16, site_url="http://x"
    )
    other = Client()
    other.force_login(make_user(Role.CITIZEN))
    assert other.get(f"/my/bills/{order.number}/").status_code == 404
    assert (
        other.post(
            "/my/bills/", {"step": "pay", "fetched": fetched.pk, "amount": "1", "key": "k" * 20}
        ).status_code
        == 302
    )  # a look-up of someone else is "look up the bill again"
    assert OnlineBill.objects.count() == 1


@pytest.mark.django_db
def test_the_manifest_describes_an_installable_app(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["start_url"] == "/my/"
    assert data["display"] == "standalone"
    assert "e-Mitra" in data["name"]
    assert {icon["sizes"] for icon in data["icons"]} >= {"192x192", "512x512", "any"}
    for icon in data["icons"]:
        assert icon["src"].startswith("/static/portal/icon")


@pytest.mark.django_db
def test_the_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = b"".join(response.streaming_content).decode()
    assert "/my/offline/" in body


@pytest.mark.django_db
def test_the_offline_page_is_public_and_personal_data_free(client):
    response = client.get("/my/offline/")
    assert response.status_code == 200
    assert 'rel="manifest"' in response.content.decode()
