from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from emitra.accounts.roles import Role
from emitra.catalog.models import Department


@pytest.fixture(autouse=True)
def _english(client: Any) -> Any:
    """These tests read labels and messages by their English text (the msgids); the Hindi
    pages are covered by core/tests/test_i18n.py."""
    client.cookies["emitra_lang"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def department(db: None) -> Department:
    return Department.objects.create(
        code="tstrev",
        name_en="Test Revenue Department",
        name_hi="परीक्षण राजस्व विभाग",
        settlement_bank_name="State Bank of India",
        settlement_ifsc="SBIN0000001",
        settlement_account_number="000111222333",
    )


@pytest.fixture
def operator(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.OPERATOR)
