"""The demo network: op.jaipur's kiosk active and four more in other states — run twice."""

from __future__ import annotations

import pytest

from emitra.accounts.roles import Role
from emitra.kiosks.demo import ensure_demo_kiosks
from emitra.kiosks.models import Kiosk, KioskEvent
from emitra.kiosks.tests import factories
from emitra.ledger import selectors as ledger_selectors

pytestmark = pytest.mark.django_db


def test_demo_kiosks_are_added_once_in_their_states(jaipur):
    for _ in range(5):
        factories.gram_panchayat(jaipur)
    factories.urban_body(jaipur)
    factories.user(Role.LSP, jaipur, username="lsp.jaipur")
    factories.user(Role.DISTRICT_ADMIN, jaipur, username="society.jaipur")
    operator = factories.user(Role.OPERATOR, jaipur, username="op.jaipur")

    first = ensure_demo_kiosks()
    events = KioskEvent.objects.count()
    second = ensure_demo_kiosks()

    assert [k.pk for k in first] == [k.pk for k in second]
    assert KioskEvent.objects.count() == events
    statuses = dict(Kiosk.objects.values_list("code", "status"))
    assert statuses == {
        "JPR-K-0001": "active",
        "JPR-K-0002": "suspended",
        "JPR-K-0003": "approved",
        "JPR-K-0004": "recommended",
        "JPR-K-0005": "applied",
    }
    assert Kiosk.objects.get(code="JPR-K-0001").operator == operator
    assert ledger_selectors.wallet_of(operator.pk) is not None
    assert Kiosk.objects.get(code="JPR-K-0002").urban_body is not None
