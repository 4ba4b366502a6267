"""The suite-wide Aadhaar guard (root conftest) is real: a page that echoes a number the
system was given is caught; log lines are masked by the JSON formatter before the guard (and
anyone) sees them."""

from __future__ import annotations

import logging

import pytest

from conftest import AADHAAR_LEAKS
from emitra.registry import vault

from .conftest import aadhaar_number


@pytest.mark.django_db
def test_a_page_echoing_a_full_aadhaar_number_is_caught(client):
    number = vault.clean_aadhaar(aadhaar_number())
    before = len(AADHAAR_LEAKS)

    client.get("/services/", {"q": number})  # the search page echoes what was typed

    assert len(AADHAAR_LEAKS) == before + 1
    del AADHAAR_LEAKS[before:]  # caught on purpose: not a leak of this test


def test_a_log_line_with_a_full_aadhaar_number_is_masked_before_it_is_written(caplog):
    number = vault.clean_aadhaar(aadhaar_number())
    before = len(AADHAAR_LEAKS)

    logging.getLogger("emitra.registry").warning("careless %s", number)

    assert len(AADHAAR_LEAKS) == before
