"""Approving a certificate application issues the certificate (emitra.certificates), which
the operator who filed it may then download."""

from __future__ import annotations

from emitra.accounts.roles import Role
from emitra.applications import services
from emitra.applications.models import Application


def test_approval_issues_the_certificate_and_links_it(client_as, submit, officer, operator):
    from emitra.certificates.models import Certificate

    application = services.act(application=submit(), action="assign", actor=officer)
    approved = services.act(application=application, action="approve", actor=officer)

    cert = Certificate.objects.get(application_number=approved.number)
    assert cert.kind == "domicile"
    assert approved.certificate_number == cert.number
    assert Application.objects.get(pk=approved.pk).certificate_number == cert.number
    assert approved.events.get(action="approve").to_state == "issued"

    download = client_as(Role.OPERATOR, user=operator).get(cert.get_absolute_url())
    assert download.status_code == 200
    body = b"".join(download.streaming_content) if download.streaming else download.content
    assert body.startswith(b"%PDF-")


def test_the_holder_name_is_given_in_both_scripts():
    assert services._holder_names("Sita Devi")[0] == "Sita Devi"
    hindi = services._holder_names("Sita Devi")[1]
    assert any("\u0900" <= ch <= "\u097f" for ch in hindi)
    english, same = services._holder_names("सीता देवी")
    assert same == "सीता देवी"
    assert english.isascii() or english  # a Latin spelling is produced


def test_service_codes_map_to_certificate_kinds():
    assert services.certificate_kind("domicile-certificate") == "domicile"
    assert services.certificate_kind("caste-certificate-obc") == "caste"
    assert services.certificate_kind("income-certificate") == "income"
    assert services.certificate_kind("jvvnl-new-connection") is None
