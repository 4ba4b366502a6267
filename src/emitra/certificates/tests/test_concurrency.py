"""Two approvals of the same application at once still yield one certificate and one number."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from emitra.certificates.models import Certificate
from emitra.core.models import IdSeries


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_of_one_application_make_one_certificate(issue):
    barrier = threading.Barrier(3)
    results: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(issue(application_number="APP-RACE").number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(results)) == 1 and len(results) == 3
    assert Certificate.objects.count() == 1
    assert IdSeries.objects.get(series="DOM").last_value == 1  # the losers' numbers came back
