"""Applications sent back to the citizen wait on the operator's console until the corrected
application is resubmitted."""

from __future__ import annotations

import pytest

from emitra.accounts.roles import Role
from emitra.applications import services
from emitra.kiosks.console import console_day
from emitra.kiosks.selectors import kiosk_of_operator

pytestmark = pytest.mark.django_db


def test_a_sent_back_application_is_pending_on_the_console(client_as, submit, officer, operator):
    sent_back = submit()
    services.act(application=sent_back, action="send_back", actor=officer, note="Blurred photo")
    waiting = submit()  # with the department: not the operator's to do

    day = console_day(operator=operator, kiosk=kiosk_of_operator(operator))
    page = client_as(Role.OPERATOR, user=operator).get("/console/").content.decode()

    references = [item.reference for item in day.pending]
    assert sent_back.number in references and waiting.number not in references
    item = next(item for item in day.pending if item.reference == sent_back.number)
    assert (str(item.label), item.amount) == ("Application sent back for correction", None)
    assert f'href="/applications/{sent_back.number}/"' in page


def test_another_operators_sent_back_application_is_not_pending(submit, officer, make_user):
    services.act(application=submit(), action="send_back", actor=officer, note="Blurred photo")
    other = make_user(Role.OPERATOR)

    assert console_day(operator=other, kiosk=None).pending == []
