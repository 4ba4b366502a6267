"""Fixtures for top-up tests: operators, and an HTTP "browser" on the live server (which the
payment gateway simulator calls back)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emitra.accounts.roles import Role
from emitra.payments.tests.helpers import Browser


@pytest.fixture
def operator(make_user):
    return make_user(Role.OPERATOR, full_name="Kamla Meena")


@pytest.fixture
def other_operator(make_user):
    return make_user(Role.OPERATOR, full_name="Mohan Lal")


@pytest.fixture
def browser(live_server, operator) -> Iterator[Browser]:
    client = Browser(live_server.url, operator)
    yield client
    client.close()
