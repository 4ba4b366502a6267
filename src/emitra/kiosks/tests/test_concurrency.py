"""Two clicks at once: the conditional UPDATE lets exactly one act (PostgreSQL, threads)."""

from __future__ import annotations

import pytest

from emitra.kiosks import services
from emitra.kiosks.models import Kiosk, KioskAction, KioskStatus
from emitra.kiosks.tests import factories
from emitra.ledger.tests.test_concurrency import run_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_six_simultaneous_approvals_approve_once(lsp, society):
    kiosk = factories.kiosk(lsp, status=KioskStatus.RECOMMENDED)

    outcomes = run_threads(6, lambda _i: services.approve_kiosk(actor=society, kiosk=kiosk).status)

    assert sorted(map(str, outcomes)) == ["approved"] + ["kiosks.wrong_step"] * 5
    assert Kiosk.objects.get(pk=kiosk.pk).version == kiosk.version + 1
    assert kiosk.events.filter(action=KioskAction.APPROVE).count() == 1


def test_simultaneous_suspensions_suspend_once_and_the_rest_are_told_why(lsp, society):
    kiosk = factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society)

    outcomes = run_threads(
        4,
        lambda i: services.suspend_kiosk(actor=society, kiosk=kiosk, reason=f"click {i}").status,
    )

    assert sorted(map(str, outcomes)) == ["kiosks.not_active"] * 3 + ["suspended"]
    assert kiosk.events.filter(action=KioskAction.SUSPEND).count() == 1
