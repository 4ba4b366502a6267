"""Two kiosks enrolling the same person at the same moment: exactly one request stands."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from emitra.core.errors import Conflict
from emitra.registry import services
from emitra.registry.models import ChangeRequest, VaultEntry

from .conftest import aadhaar_number, family_input, member_input


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_aadhaar_submitted_twice_at_once_is_taken_once(operator, geo):
    number = aadhaar_number()
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def submit(mobile: str) -> None:
        try:
            barrier.wait()
            services.submit_enrolment(
                operator=operator,
                family=family_input(geo, mobile=mobile),
                members=[member_input(aadhaar=number)],
            )
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(f"98290555{i:02d}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok"] + ["registry.aadhaar_pending"] * 3
    assert ChangeRequest.objects.count() == 1
    assert VaultEntry.objects.get().pending_change == ChangeRequest.objects.get()
