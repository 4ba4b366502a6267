"""Machine tests: a plus kiosk with a registered machine, the shipped catalog and billers, and
the biller simulator (the root conftest's `biller` fixture)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from conftest import give_kiosk
from emitra.accounts.roles import Role
from emitra.billpay.billers import ensure_billers
from emitra.billpay.models import Biller
from emitra.catalog import catalogfile, search
from emitra.core import outbox
from emitra.core.models import OutboxMessage, OutboxStatus
from emitra.kiosks.models import Kiosk, KioskType
from emitra.machines import services
from emitra.machines.devices import Devices, devices_for
from emitra.machines.models import Machine


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _own_var_dir(settings: Any, tmp_path: Any) -> None:
    """Device state and spool files of each test in its own directory."""
    settings.VAR_DIR = tmp_path


@pytest.fixture
def catalog(db: None) -> Iterator[None]:
    search.invalidate()
    catalogfile.load_shipped_catalog()
    ensure_billers(Biller)
    yield
    search.invalidate()


def plus_kiosk(make_user: Any) -> Kiosk:
    operator = make_user(Role.OPERATOR, full_name="Machine owner")
    kiosk: Kiosk = give_kiosk(operator)
    Kiosk.objects.filter(pk=kiosk.pk).update(kiosk_type=KioskType.PLUS)
    kiosk.refresh_from_db()
    return kiosk


@pytest.fixture
def machine_and_token(make_user: Any, catalog: None) -> tuple[Machine, str]:
    return services.register_machine(actor=None, kiosk=plus_kiosk(make_user))


@pytest.fixture
def machine(machine_and_token: tuple[Machine, str]) -> Machine:
    return machine_and_token[0]


@pytest.fixture
def devices(machine: Machine) -> Devices:
    return devices_for(machine.code)


@pytest.fixture
def jvvnl(catalog: None) -> Biller:
    return Biller.objects.get(code="jvvnl")


def run_outbox(limit: int = 60) -> None:
    from django.utils import timezone

    for _ in range(limit):
        outbox.run_due()
        if not OutboxMessage.objects.filter(
            status=OutboxStatus.PENDING, available_at__lte=timezone.now()
        ).exists():
            return


def insert_enough(cash: Any, devices: Devices) -> int:
    """₹500 notes until the escrow covers what is due; the escrow in paise."""
    escrow = 0
    while escrow < cash.total:
        escrow = services.insert_note(cash=cash, note=500, devices=devices)
    return escrow
