"""A kiosk operator with a funded wallet, a G2C service (₹10 fee + ₹50 charge) and an
electricity bill whose commission the department pays; `pay` quotes, holds and posts."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import translation

from emitra.accounts.roles import Role
from emitra.catalog.models import ChargeRule, Service, ServiceType
from emitra.catalog.pricing import Quote, quote
from emitra.catalog.tests import factories
from emitra.commissions import services
from emitra.commissions.models import CommissionLine
from emitra.core.money import Paise
from emitra.ledger import chart
from emitra.ledger import services as ledger
from emitra.ledger.models import Account, Hold
from emitra.ledger.services import Cause, Leg

_keys = itertools.count(1)
FUNDS = 10_000_00


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read messages in English (the msgids); the PDF test switches to Hindi."""
    with translation.override("en"):
        yield


@pytest.fixture
def catalog(db):
    factories.rate_card()
    revenue = factories.department("revenue")
    fee_head = factories.head("revenue-fee", revenue)
    domicile = factories.service("domicile", revenue)
    factories.version(domicile, fees=[(fee_head, 10_00)])
    energy = factories.department("energy")
    bill_head = factories.head("jvvnl-bill", energy)
    electricity = factories.service(
        "electricity",
        energy,
        service_type=ServiceType.BILL,
        name_en="Electricity bill",
        name_hi="बिजली बिल",
    )
    factories.version(
        electricity,
        charge_rule=ChargeRule.BILL_DEPARTMENT_PAID,
        collects_amount=True,
        collection_head=bill_head,
    )
    return {"domicile": domicile, "electricity": electricity}


@pytest.fixture
def operator(make_user):
    return make_user(Role.OPERATOR, full_name="राधा कृष्ण शर्मा", preferred_language="en")


def funded_wallet(user: Any) -> Account:
    wallet = ledger.open_operator_wallet(user_id=user.pk, name=user.full_name)
    ledger.transfer(
        legs=[Leg(chart.gateway_clearing(), wallet, FUNDS)],
        kind="topup",
        scope="test",
        key=f"fund-{wallet.pk}",
    )
    return wallet


@pytest.fixture
def wallet(operator):
    return funded_wallet(operator)


@dataclass
class Payment:
    quote: Quote
    hold: Hold
    line: CommissionLine
    key: str


@pytest.fixture
def pay(catalog):
    """Quote `service` now (or at `at`), hold the total on the wallet and post it."""

    def run(
        service: Service | str,
        operator: Any,
        wallet: Account,
        *,
        amount: int = 0,
        category: str = "B",
        at: datetime | None = None,
        key: str | None = None,
    ) -> Payment:
        svc = catalog[service] if isinstance(service, str) else service
        priced = quote(
            service=svc, amount=Paise(amount), channel="kiosk", kiosk_category=category, at=at
        )
        n = next(_keys)
        held = ledger.hold(
            account=wallet,
            amount=priced.total_citizen,
            scope="test-hold",
            key=f"hold-{n}",
            expires_in=timedelta(minutes=15),
        )
        key = key or f"pay-{n}"
        line = services.post_service_payment(
            operator=operator,
            wallet=wallet,
            hold=held,
            quote=priced,
            scope="test-pay",
            key=key,
            cause=Cause("test.payment", str(n)),
        )
        return Payment(priced, held, line, key)

    return run
