"""A citizen can rate or complain about the kiosk from an application's acknowledgement."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from emitra.accounts.roles import Role
from emitra.applications import notify, receipts
from emitra.applications.models import Application
from emitra.core.models import OutboxMessage
from emitra.kiosks import services as kiosks
from emitra.kiosks.models import Rating
from emitra.kiosks.receipts import find_receipt
from emitra.kiosks.selectors import kiosk_of_operator
from emitra.notifications.sms import render

pytestmark = pytest.mark.django_db


def test_an_acknowledgement_number_is_a_receipt_for_feedback(submit, operator):
    application = submit()

    found = find_receipt(application.number.lower())
    assert found is not None
    assert found.operator_id == operator.pk
    assert found.amount == application.amount_paid

    complaint = kiosks.submit_complaint(receipt_number=application.number, category="overcharging")
    assert complaint.kiosk == kiosk_of_operator(operator)


# --- the links that reach it ---------------------------------------------------------------------

ORIGIN = "https://emitra.example"


@pytest.fixture
def public_origin(settings):
    settings.KIOSK_FEEDBACK_ORIGIN = ORIGIN + "/"


def test_the_acknowledgement_qr_opens_its_public_feedback_and_tracking_page(submit, public_origin):
    application = submit()
    ack = receipts.receipt(application)

    url = f"{ORIGIN}/feedback/{application.number}/"
    assert receipts.public_link(application) == url
    assert ack.public_url == url
    assert ack.feedback_path == f"/feedback/{application.number}/"
    assert receipts.pdf_data(application)["public"]["url"] == url


def test_the_acknowledgement_page_and_pdf_carry_the_feedback_link(
    client_as, submit, operator, public_origin
):
    application = submit()
    client = client_as(Role.OPERATOR, user=operator)

    page = client.get(f"/applications/{application.number}/receipt/").content.decode()
    assert f'href="/feedback/{application.number}/" id="feedback-link"' in page
    assert "rate the kiosk or complain" in page
    pdf = client.get(f"/applications/{application.number}/receipt.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert f"{ORIGIN}/feedback/{application.number}/" in text.replace("\n", "")


def test_the_submitted_sms_carries_the_feedback_link(submit, public_origin):
    application = submit()

    sms = OutboxMessage.objects.get(topic="notifications.sms")
    assert sms.payload["template"] == "application_submitted"
    assert sms.payload["params"]["feedback"] == f"{ORIGIN}/feedback/{application.number}/"
    text = render("application_submitted", sms.payload["params"])
    assert f"{ORIGIN}/feedback/{application.number}/" in text


def test_the_feedback_page_offers_tracking_with_the_number_filled_in(client, submit):
    application = submit()

    page = client.get(f"/feedback/{application.number}/")
    assert page.status_code == 200
    track = f"/applications/track/?number={application.number}"
    assert f'href="{track}" id="track-link"' in page.content.decode()
    form = client.get(track).content.decode()
    assert f'name="number" value="{application.number}"' in form


def test_the_tracking_page_links_to_the_feedback_page(client, submit):
    application = submit()
    client.post("/applications/track/", {"number": application.number, "mobile": "9829012345"})
    code = OutboxMessage.objects.filter(payload__template="login_otp").latest("pk")
    client.post("/applications/track/otp/", {"code": code.payload["params"]["code"]})

    status = client.get(f"/applications/track/{application.number}/").content.decode()

    assert f'href="/feedback/{application.number}/" id="feedback-link"' in status


def test_the_citizen_rates_the_kiosk_from_the_acknowledgement_link(client, submit, operator):
    application = submit()

    response = client.post(f"/feedback/{application.number}/rate/", {"stars": "4"})

    assert response.status_code == 200
    rating = Rating.objects.get(receipt_number=application.number)
    assert (rating.stars, rating.kiosk) == (4, kiosk_of_operator(operator))


def test_an_application_filed_online_offers_tracking_but_no_kiosk_feedback(
    submit, make_user, public_origin
):
    application = submit()
    citizen = make_user(Role.CITIZEN, mobile="9829012345")
    Application.objects.filter(pk=application.pk).update(submitted_by=citizen)
    application.refresh_from_db()

    assert find_receipt(application.number) is None
    assert receipts.public_link(application) == (
        f"{ORIGIN}/applications/track/?number={application.number}"
    )
    assert receipts.receipt(application).feedback_path == ""
    OutboxMessage.objects.all().delete()
    notify.queue_sms(to="9829012345", template="application_submitted", number=application.number)
    sms = OutboxMessage.objects.get(topic="notifications.sms")
    assert sms.payload["template"] == "application_submitted_online"
