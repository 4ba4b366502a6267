"""Filing an application at a kiosk: form, documents and fee in one act, or nothing at all."""

from __future__ import annotations

import pytest

from conftest import give_kiosk
from emitra.accounts.roles import Role
from emitra.applications import services
from emitra.applications.errors import FormInvalid, NotYourApplication
from emitra.applications.models import Application, ApplicationDocument, ApplicationEvent
from emitra.applications.tests.factories import fund, good_files, upload
from emitra.core.models import OutboxMessage
from emitra.documents.models import Document
from emitra.documents.tests import samples
from emitra.kiosks.errors import KioskNotActive, NoKiosk
from emitra.ledger import selectors as ledger_selectors
from emitra.ledger.errors import InsufficientFunds
from emitra.ledger.models import Hold, JournalTransaction


def nothing_written() -> None:
    assert Application.objects.count() == 0
    assert Document.objects.count() == 0
    assert ApplicationEvent.objects.count() == 0
    assert Hold.objects.filter(scope=services.FEE_SCOPE).count() == 0
    assert JournalTransaction.objects.filter(scope=services.FEE_SCOPE).count() == 0


def test_submitting_files_the_form_documents_and_fee_in_one_act(submit, operator):
    wallet = ledger_selectors.wallet_of(operator.pk)
    assert wallet is not None
    before = ledger_selectors.available_balance(wallet)

    application = submit()

    assert application.number.startswith("APP-")
    assert application.state == "submitted"
    assert application.version == 1
    assert application.district.slug == "jaipur"
    assert application.mobile == "9829012345"
    assert application.due_at is not None
    # ₹10 fee + ₹50 G2C charge, of which category A keeps 80 % (₹40) for the kiosk.
    assert application.amount_paid == 60_00
    assert ledger_selectors.available_balance(wallet) == before - 60_00 + 40_00
    slots = set(application.documents.values_list("slot", flat=True))
    assert slots == {"photo", "doc_jan_aadhaar", "doc_self_declaration"}
    assert application.events.get().action == "submit"
    sms = OutboxMessage.objects.get(topic="notifications.sms")
    assert sms.payload["template"] == "application_submitted"
    assert sms.payload["params"]["number"] == application.number


def test_numbers_are_consecutive(submit):
    first = submit()
    second = submit()
    assert int(second.number[-9:]) == int(first.number[-9:]) + 1


def test_a_replayed_key_returns_the_first_application_and_charges_once(submit, operator):
    first = submit(key="same-key-123")
    again = submit(key="same-key-123")
    assert again.pk == first.pk
    assert Application.objects.count() == 1
    assert JournalTransaction.objects.filter(scope=services.FEE_SCOPE).count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("applicant_name", "", "This field is required."),
        ("mobile", "12345", "Enter a 10-digit Indian mobile number starting with 6, 7, 8 or 9."),
        ("date_of_birth", "2999-01-01", "The date cannot be in the future."),
        ("pincode", "110001", "Enter a 6-digit Rajasthan PIN code (from 30xxxx to 34xxxx)."),
        ("gender", "robot", "Choose one of the options."),
    ],
)
def test_missing_or_invalid_fields_are_refused_and_nothing_changes(submit, field, value, message):
    with pytest.raises(FormInvalid) as caught:
        submit(data={field: value})
    assert str(caught.value.errors[field]) == message
    nothing_written()


def test_missing_mandatory_documents_are_refused_and_nothing_changes(submit):
    files = good_files()
    del files["doc_self_declaration"]
    del files["photo"]
    with pytest.raises(FormInvalid) as caught:
        submit(files=files)
    assert str(caught.value.errors["doc_self_declaration"]) == "Attach this document."
    assert str(caught.value.errors["photo"]) == "Attach this document."
    nothing_written()


@pytest.mark.parametrize(
    ("data", "code_word"),
    [
        (samples.WINDOWS_EXE, "PDF, JPEG or PNG"),
        (b"", "empty"),
        (samples.pdf(password="x"), "password"),
        (samples.png() + samples.zip_bytes(), "besides the document"),
    ],
    ids=["renamed-exe", "empty", "encrypted-pdf", "polyglot"],
)
def test_a_bad_document_is_refused_with_a_clear_message_and_nothing_changes(
    submit, data, code_word
):
    files = good_files()
    files["doc_jan_aadhaar"] = upload("jan-aadhaar.pdf", data, "application/pdf")
    with pytest.raises(FormInvalid) as caught:
        submit(files=files)
    assert code_word in str(caught.value.errors["doc_jan_aadhaar"])
    nothing_written()


def test_an_oversized_photo_is_refused(submit, settings):
    files = good_files()
    photo = samples.noisy_jpeg()
    assert len(photo) > 200 * 1024  # the form's limit for the photo
    files["photo"] = upload("photo.jpg", photo, "image/jpeg")
    with pytest.raises(FormInvalid) as caught:
        submit(files=files)
    assert str(caught.value.errors["photo"]) == "The file is larger than 200.0\xa0KB."
    nothing_written()


def test_a_photo_field_refuses_a_pdf(submit):
    files = good_files()
    files["photo"] = upload("photo.pdf", samples.pdf())
    with pytest.raises(FormInvalid) as caught:
        submit(files=files)
    assert str(caught.value.errors["photo"]) == "Upload a JPEG, PNG file here."


def test_an_empty_wallet_refuses_the_application_and_nothing_changes(
    domicile, make_user, jaipur, submit
):
    poor = make_user(Role.OPERATOR, district=jaipur)
    give_kiosk(poor)
    fund(poor, amount=0)
    with pytest.raises(InsufficientFunds):
        submit(by=poor)
    nothing_written()
    assert ApplicationDocument.objects.count() == 0


@pytest.mark.parametrize("status", ["suspended", "terminated", "approved"])
def test_an_operator_whose_kiosk_is_not_active_cannot_file_and_nothing_changes(
    domicile, make_user, jaipur, submit, status
):
    operator = make_user(Role.OPERATOR, district=jaipur)
    give_kiosk(operator, status=status)
    fund(operator)
    with pytest.raises(KioskNotActive):
        submit(by=operator)
    nothing_written()


def test_an_operator_without_a_kiosk_cannot_file(domicile, make_user, jaipur, submit):
    operator = make_user(Role.OPERATOR, district=jaipur)
    fund(operator)
    with pytest.raises(NoKiosk):
        submit(by=operator)
    nothing_written()


def test_only_roles_the_workflow_names_may_submit(submit, officer):
    with pytest.raises(NotYourApplication):
        submit(by=officer)
    nothing_written()
