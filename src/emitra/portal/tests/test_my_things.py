"""The portal's home lists what is the citizen's: applications filed for their mobile number
at a kiosk (proved theirs by the OTP login), and nobody else's."""

from __future__ import annotations

import pytest
from django.test import Client

from emitra.accounts.roles import Role
from emitra.applications.tests.conftest import (  # noqa: F401  (the applications fixtures)
    _english_and_private_media,
    domicile,
    jaipur,
    operator,
    revenue,
    sanganer,
    submit,
)

pytestmark = pytest.mark.django_db


def test_an_application_made_at_a_kiosk_for_the_citizens_mobile_is_listed(
    submit,  # noqa: F811
    make_user,
):
    citizen = make_user(Role.CITIZEN, mobile="9829012345")
    application = submit()  # the form's mobile is the citizen's
    assert application.mobile == citizen.mobile

    client = Client()
    client.force_login(citizen)
    mine = client.get("/my/").content.decode()
    other = Client()
    other.force_login(make_user(Role.CITIZEN))
    theirs = other.get("/my/").content.decode()

    assert application.number in mine
    assert application.number not in theirs
