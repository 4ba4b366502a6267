"""The pages: the kiosk form, the acknowledgement, scoped documents, the inbox with its
filters, CSV and bulk actions, tracking by OTP, and who is refused where."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from emitra.accounts.models import LoginOtp
from emitra.accounts.roles import Role
from emitra.applications import services
from emitra.applications.models import Application
from emitra.applications.tests.factories import form_data, good_files
from emitra.core.models import OutboxMessage
from emitra.documents.tests import samples


@pytest.fixture
def no_certificate(monkeypatch):
    monkeypatch.setattr(services, "certificate_kind", lambda code: None)


def test_the_operator_files_an_application_through_the_form(
    client_as, operator, domicile, jaipur, sanganer
):
    client = client_as(Role.OPERATOR, user=operator)
    page = client.get("/applications/new/domicile-certificate/")
    assert page.status_code == 200
    assert b'name="doc_jan_aadhaar"' in page.content
    found = re.search(rb'name="key" value="([0-9a-f]+)"', page.content)
    assert found is not None
    key = found.group(1).decode()

    response = client.post(
        "/applications/new/domicile-certificate/",
        {**form_data(jaipur, sanganer), "key": key, **good_files()},
    )

    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/applications/{application.number}/receipt/"
    receipt = client.get(response["Location"])
    assert application.number in receipt.content.decode()
    assert "XXXXXX2345" in receipt.content.decode()
    assert "9829012345" not in receipt.content.decode()
    pdf = client.get(f"/applications/{application.number}/receipt.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_a_form_with_errors_is_shown_again_with_the_messages_and_nothing_filed(
    client_as, operator, domicile, jaipur, sanganer
):
    client = client_as(Role.OPERATOR, user=operator)
    files = good_files()
    files["doc_jan_aadhaar"] = samples_upload = files["doc_jan_aadhaar"]
    samples_upload.file = io.BytesIO(samples.WINDOWS_EXE)
    samples_upload.size = len(samples.WINDOWS_EXE)
    response = client.post(
        "/applications/new/domicile-certificate/",
        {**form_data(jaipur, sanganer, pincode=""), "key": "k" * 32, **files},
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "Please correct these fields" in text
    assert "Upload a PDF, JPEG or PNG file." in text
    assert "This field is required." in text
    assert Application.objects.count() == 0


@pytest.mark.parametrize(
    "role", [Role.CITIZEN, Role.DEPARTMENT_OFFICER, Role.LSP, Role.STATE_ADMIN, Role.AUDITOR]
)
def test_only_operators_open_the_kiosk_form(client_as, domicile, role):
    client = client_as(role)
    assert client.get("/applications/new/domicile-certificate/").status_code == 403
    assert client.get("/applications/").status_code == 403


def test_documents_are_served_only_to_those_in_scope(
    client, client_as, submit, officer, make_user, staff_of, revenue, ajmer, jaipur
):
    application = submit()
    doc = application.documents.get(slot="doc_jan_aadhaar")
    url = f"/applications/{application.number}/documents/{doc.pk}/"

    for allowed in (application.submitted_by, officer):
        response = client_as(allowed.role, user=allowed).get(url)
        assert response.status_code == 200, allowed
        assert response["Content-Type"] == "application/pdf"
        assert "sandbox" in response["Content-Security-Policy"]
        client.logout()

    strangers = [
        make_user(Role.OPERATOR, district=jaipur),
        staff_of(Role.DEPARTMENT_OFFICER, revenue, district=ajmer),
        make_user(Role.DEPARTMENT_OFFICER),  # no department
        make_user(Role.CITIZEN),
    ]
    for stranger in strangers:
        assert client_as(stranger.role, user=stranger).get(url).status_code == 404, stranger
        client.logout()
    for role in (Role.LSP, Role.DISTRICT_ADMIN, Role.PARTNER):
        assert client_as(role).get(url).status_code == 403
        client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_the_documents_are_not_reachable_from_a_public_media_url(client, submit, settings):
    application = submit()
    stored = application.documents.first().document.file.name
    assert client.get(f"/media/{stored}").status_code == 404
    assert client.get(f"/{stored}").status_code == 404


def test_the_inbox_filters_exports_and_stays_in_scope(
    client_as, submit, officer, staff_of, revenue, ajmer, operator
):
    mine = submit()
    other = submit()
    Application.objects.filter(pk=other.pk).update(district=ajmer)  # filed in Ajmer
    client = client_as(Role.DEPARTMENT_OFFICER, user=officer)

    page = client.get("/applications/inbox/")
    assert [a.number for a in page.context["rows"]] == [mine.number]

    Application.objects.filter(pk=mine.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert client.get("/applications/inbox/?sla=overdue").context["count"] == 1
    assert client.get("/applications/inbox/?sla=ok").context["count"] == 0
    assert client.get("/applications/inbox/?state=issued").context["count"] == 0
    assert client.get("/applications/inbox/?assigned=me").context["count"] == 0

    export = client.get("/applications/inbox/?format=csv")
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][0] == "number"
    assert [r[0] for r in rows[1:]] == [mine.number]


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.CITIZEN, Role.LSP, Role.STATE_ADMIN])
def test_the_inbox_is_for_department_staff_only(client_as, role):
    assert client_as(role).get("/applications/inbox/").status_code == 403


def test_bulk_actions_report_each_item(client_as, submit, officer):
    first = submit()
    second = submit()
    client = client_as(Role.DEPARTMENT_OFFICER, user=officer)
    response = client.post(
        "/applications/inbox/",
        {
            "action": "assign",
            "item": [f"{first.number}:{first.version}", f"{second.number}:0"],  # second is stale
        },
    )
    outcomes = {o.number: o.ok for o in response.context["outcomes"]}
    assert outcomes == {first.number: True, second.number: False}
    assert Application.objects.get(pk=first.pk).assigned_to == officer
    assert Application.objects.get(pk=second.pk).assigned_to is None


def test_an_officer_acts_from_the_application_page(client_as, submit, officer, no_certificate):
    application = submit()
    client = client_as(Role.DEPARTMENT_OFFICER, user=officer)
    page = client.get(f"/applications/{application.number}/")
    assert b'id="action-assign"' in page.content
    assert b'id="action-approve"' not in page.content  # not before assignment

    client.post(f"/applications/{application.number}/act/", {"action": "assign", "version": "1"})
    response = client.post(
        f"/applications/{application.number}/act/",
        {"action": "approve", "version": "2"},
        follow=True,
    )
    assert Application.objects.get(pk=application.pk).state == "issued"
    assert "Done." in response.content.decode()


def test_an_action_out_of_turn_shows_a_message_and_changes_nothing(client_as, submit, officer):
    application = submit()
    client = client_as(Role.DEPARTMENT_OFFICER, user=officer)
    response = client.post(
        f"/applications/{application.number}/act/",
        {"action": "approve", "version": "1"},
        follow=True,
    )
    assert "cannot be done while the application is" in response.content.decode()
    assert Application.objects.get(pk=application.pk).state == "submitted"


def test_an_escalation_marks_overdue_applications_once_and_tells_the_admin(submit, dept_admin):
    application = submit()
    Application.objects.filter(pk=application.pk).update(
        due_at=timezone.now() - timedelta(minutes=1)
    )
    assert services.escalate_overdue() == 1
    assert services.escalate_overdue() == 0
    fresh = Application.objects.get(pk=application.pk)
    assert fresh.escalated_at is not None
    assert fresh.events.filter(action="escalate").count() == 1
    sent = OutboxMessage.objects.filter(payload__template="application_escalated")
    assert [m.payload["to"] for m in sent] == [dept_admin.mobile]


def test_the_escalation_runs_as_a_periodic_job():
    from emitra.core.jobs import JOBS

    job = JOBS["applications.escalate_overdue"]
    period = job.every_seconds  # a schedule, not a measured time
    assert period == 5 * 60


# --- tracking ------------------------------------------------------------------------------


def latest_otp() -> str:
    message = OutboxMessage.objects.filter(payload__template="login_otp").latest("pk")
    return str(message.payload["params"]["code"])


def test_a_citizen_tracks_an_application_with_an_otp(client, submit, officer):
    application = submit()
    services.act(application=application, action="send_back", actor=officer, note="Blurred photo")

    before = client.get(f"/applications/track/{application.number}/")
    assert before.status_code == 302  # no status without the OTP

    response = client.post(
        "/applications/track/", {"number": application.number.lower(), "mobile": "9829012345"}
    )
    assert response["Location"] == "/applications/track/otp/"
    otp_page = client.get("/applications/track/otp/").content.decode()
    assert "XXXXXX2345" in otp_page
    assert "Sita" not in otp_page
    response = client.post("/applications/track/otp/", {"code": latest_otp()})
    assert response["Location"] == f"/applications/track/{application.number}/"
    status = client.get(response["Location"]).content.decode()
    assert "Sent back to the citizen" in status
    assert "Blurred photo" in status
    assert "Correct and resubmit by" in status and "Expected decision by" not in status
    assert officer.full_name not in status
    citizen = Application.objects.get(pk=application.pk).citizen
    assert citizen is not None and citizen.mobile == "9829012345"


def test_a_wrong_mobile_sends_no_otp_and_reveals_nothing(client, submit):
    application = submit()
    response = client.post(
        "/applications/track/", {"number": application.number, "mobile": "9000000001"}, follow=True
    )
    assert "If this application was made with mobile XXXXXX0001" in response.content.decode()
    assert not OutboxMessage.objects.filter(payload__template="login_otp").exists()
    response = client.post("/applications/track/otp/", {"code": "123456"})
    assert response.status_code == 422


def test_an_expired_otp_is_refused_with_a_clear_message(client, submit):
    application = submit()
    client.post("/applications/track/", {"number": application.number, "mobile": "9829012345"})
    code = latest_otp()
    LoginOtp.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post("/applications/track/otp/", {"code": code})
    assert response.status_code == 422
    assert (
        "This OTP has expired or was already used. Ask for a new one." in response.content.decode()
    )
    assert Application.objects.get(pk=application.pk).citizen is None
    assert client.get(f"/applications/track/{application.number}/").status_code == 302


def test_tracking_pages_are_public_and_declared(client):
    assert client.get("/applications/track/").status_code == 200
    assert client.get("/applications/track/otp/").status_code == 302


def test_the_application_page_shows_personal_numbers_masked(client_as, submit, officer):
    application = submit(data={"aadhaar": "234123412346"})
    page = client_as(Role.DEPARTMENT_OFFICER, user=officer).get(
        f"/applications/{application.number}/"
    )
    text = page.content.decode()
    assert "Sita Devi" in text
    for full in ("9829012345", "234123412346", "1234567890"):
        assert full not in text
    assert "XXXXXX2345" in text
    assert "XXXX-XXXX-2346" in text
    assert "XXXXXX7890" in text


def test_the_operator_sees_the_applications_filed_at_the_kiosk(client_as, submit, operator):
    application = submit()
    page = client_as(Role.OPERATOR, user=operator).get("/applications/")
    assert application.number in page.content.decode()
    assert [a.number for a in page.context["recent"]] == [application.number]
    export = client_as(Role.OPERATOR, user=operator).get("/applications/?format=csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows] == ["number", application.number]


def test_a_sent_back_application_is_resubmitted_with_a_new_document(
    client_as, submit, officer, operator
):
    application = services.act(
        application=submit(), action="send_back", actor=officer, note="Photo is blurred"
    )
    client = client_as(Role.OPERATOR, user=operator)
    page = client.get(f"/applications/{application.number}/")
    assert b'id="action-resubmit"' in page.content
    response = client.post(
        f"/applications/{application.number}/act/",
        {
            "action": "resubmit",
            "version": str(application.version),
            "photo": SimpleUploadedFile("new.png", samples.png(), "image/png"),
        },
    )
    assert response.status_code == 302
    fresh = Application.objects.get(pk=application.pk)
    assert fresh.state == "submitted"
    assert fresh.documents.filter(slot="photo", round=2).count() == 1


def test_a_bad_document_on_resubmission_changes_nothing(client_as, submit, officer, operator):
    application = services.act(
        application=submit(), action="send_back", actor=officer, note="Photo is blurred"
    )
    client = client_as(Role.OPERATOR, user=operator)
    response = client.post(
        f"/applications/{application.number}/act/",
        {
            "action": "resubmit",
            "version": str(application.version),
            "photo": SimpleUploadedFile("new.png", samples.WINDOWS_EXE, "image/png"),
        },
        follow=True,
    )
    assert "Upload a JPEG, PNG file here." in response.content.decode()
    fresh = Application.objects.get(pk=application.pk)
    assert (fresh.state, fresh.version) == ("sent_back", application.version)
    assert fresh.documents.count() == 3


def test_the_pages_render_in_hindi(client_as, submit, officer, operator):
    application = submit()
    client = client_as(Role.OPERATOR, user=operator)
    client.cookies["emitra_lang"] = "hi"
    for url in (
        "/applications/",
        "/applications/new/domicile-certificate/",
        f"/applications/{application.number}/receipt/",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert '<html lang="hi">' in page.content.decode(), url
    assert (
        "आवेदक का पूरा नाम" in client.get("/applications/new/domicile-certificate/").content.decode()
    )
    client.logout()
    staff = client_as(Role.DEPARTMENT_OFFICER, user=officer)
    staff.cookies["emitra_lang"] = "hi"
    assert staff.get("/applications/inbox/").status_code == 200
    assert staff.get(f"/applications/{application.number}/").status_code == 200


# --- waiting on the citizen: not the department's delay -------------------------------------


def test_an_application_waiting_on_the_citizen_is_never_overdue_in_the_inbox(
    client_as, submit, officer
):
    waiting = services.act(application=submit(), action="send_back", actor=officer, note="Blurred")
    late = submit()
    past = timezone.now() - timedelta(days=2)
    Application.objects.filter(pk__in=[waiting.pk, late.pk]).update(due_at=past, escalated_at=past)
    client = client_as(Role.DEPARTMENT_OFFICER, user=officer)

    def numbers(query: str = "") -> list[str]:
        return [a.number for a in client.get(f"/applications/inbox/{query}").context["rows"]]

    assert numbers() == [late.number, waiting.number]  # the department's own delay first
    assert numbers("?sla=overdue") == [late.number]
    assert numbers("?sla=due") == []
    assert numbers("?sla=ok") == []
    assert numbers("?sla=citizen") == [waiting.number]
    page = client.get("/applications/inbox/").content.decode()
    assert page.count("Waiting on the citizen</td>") == 1
    assert page.count("<strong>Escalated</strong>") == 1  # the late one only

    export = client.get("/applications/inbox/?format=csv")
    rows = {r[0]: r for r in csv.reader(io.StringIO(export.content.decode("utf-8-sig")))}
    header = rows.pop("number")
    escalated, waiting_on = header.index("escalated"), header.index("waiting_on")
    assert (rows[late.number][escalated], rows[late.number][waiting_on]) == ("yes", "department")
    assert (rows[waiting.number][escalated], rows[waiting.number][waiting_on]) == ("", "citizen")


def test_the_escalation_reminds_a_waiting_citizen_once_and_spares_the_department(
    client_as, submit, officer, dept_admin, operator
):
    application = services.act(
        application=submit(), action="send_back", actor=officer, note="Blurred"
    )
    Application.objects.filter(pk=application.pk).update(
        due_at=timezone.now() - timedelta(minutes=1)
    )
    assert services.escalate_overdue() == 1
    assert services.escalate_overdue() == 0

    fresh = Application.objects.get(pk=application.pk)
    assert fresh.escalated_at is not None  # the once-per-stay mark
    assert list(fresh.events.filter(action__in=["remind", "escalate"]).values_list("action")) == [
        ("remind",)
    ]
    assert not OutboxMessage.objects.filter(payload__template="application_escalated").exists()
    reminders = OutboxMessage.objects.filter(payload__template="application_reminder")
    assert [m.payload["to"] for m in reminders] == [application.mobile]
    page = client_as(Role.DEPARTMENT_OFFICER, user=officer).get(
        f"/applications/{application.number}/"
    )
    text = page.content.decode()
    assert "the citizen was reminded by SMS" in text
    assert "Escalated: past its due time." not in text
    assert "Citizen reminded" in text  # the history line

    # Back with the department: its own clock starts, unmarked.
    resubmitted = services.act(application=fresh, action="resubmit", actor=operator)
    assert resubmitted.escalated_at is None


def test_the_reminder_sms_is_registered_and_bilingual():
    from emitra.notifications import sms

    text = sms.render("application_reminder", {"number": "APP-1"})
    assert "APP-1 is still waiting for your correction" in text


def test_the_escalation_skips_finished_applications(submit, officer, dept_admin, no_certificate):
    rejected = services.act(application=submit(), action="reject", actor=officer, note="No")
    issued = services.act(
        application=services.act(application=submit(), action="assign", actor=officer),
        action="approve",
        actor=officer,
    )
    assert (rejected.state, issued.state) == ("rejected", "issued")
    Application.objects.filter(pk__in=[rejected.pk, issued.pk]).update(
        due_at=timezone.now() - timedelta(days=1)
    )
    assert services.escalate_overdue() == 0
    assert not Application.objects.filter(escalated_at__isnull=False).exists()
    assert not OutboxMessage.objects.filter(
        payload__template__in=["application_escalated", "application_reminder"]
    ).exists()


# --- bulk decisions and the district filter -----------------------------------------------


def test_bulk_reject_without_a_reason_refuses_each_item_and_changes_nothing(
    client_as, submit, officer
):
    first, second = submit(), submit()
    client = client_as(Role.DEPARTMENT_OFFICER, user=officer)
    response = client.post(
        "/applications/inbox/",
        {
            "action": "reject",
            "note": "   ",
            "item": [f"{a.number}:{a.version}" for a in (first, second)],
        },
    )
    outcomes = response.context["outcomes"]
    assert [(o.ok, o.message) for o in outcomes] == [
        (False, "Write the reason for this decision."),
        (False, "Write the reason for this decision."),
    ]
    assert response.context["done"] == 0
    assert set(Application.objects.values_list("state", "version")) == {("submitted", 1)}


def test_bulk_send_back_gives_each_application_the_shared_reason(client_as, submit, officer):
    first, second, stale = submit(), submit(), submit()
    client = client_as(Role.DEPARTMENT_OFFICER, user=officer)
    response = client.post(
        "/applications/inbox/",
        {
            "action": "send_back",
            "note": "Attach a clearer photo",
            "item": [
                f"{first.number}:{first.version}",
                f"{second.number}:{second.version}",
                f"{stale.number}:7",
            ],
        },
    )
    assert {o.number: o.ok for o in response.context["outcomes"]} == {
        first.number: True,
        second.number: True,
        stale.number: False,
    }
    sent_back = Application.objects.filter(state="sent_back")
    assert set(sent_back.values_list("number", "decision_note")) == {
        (first.number, "Attach a clearer photo"),
        (second.number, "Attach a clearer photo"),
    }
    assert Application.objects.get(pk=stale.pk).state == "submitted"
    texts = OutboxMessage.objects.filter(payload__template="application_sent_back")
    assert sorted(m.payload["params"]["number"] for m in texts) == sorted(
        [first.number, second.number]
    )


def test_the_inbox_district_filter_for_staff_without_a_district(
    client_as, submit, dept_admin, ajmer, jaipur
):
    in_jaipur = submit()
    in_ajmer = submit()
    Application.objects.filter(pk=in_ajmer.pk).update(district=ajmer)
    client = client_as(Role.DEPARTMENT_ADMIN, user=dept_admin)
    everything = client.get("/applications/inbox/")
    assert {a.number for a in everything.context["rows"]} == {in_jaipur.number, in_ajmer.number}
    assert everything.context["districts"] == [("ajmer", "Ajmer"), ("jaipur", "Jaipur")]
    only_ajmer = client.get("/applications/inbox/?district=ajmer")
    assert [a.number for a in only_ajmer.context["rows"]] == [in_ajmer.number]
    assert client.get("/applications/inbox/?district=kota").context["count"] == 0
