"""Kill a real `emitra worker` (SIGKILL) mid-saga, then start another: the payment converges,
debited once. PostgreSQL only: a row lock taken by the test holds the worker at the exact
point, which SQLite's single writer lock cannot do without stopping the test itself."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from emitra.billpay.models import BillPayment, PaymentState
from emitra.billpay.tests.conftest import assert_ledger_ok, k_number
from emitra.ledger.models import JournalTransaction

ROOT = Path(__file__).resolve().parents[4]
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.simulators,
    pytest.mark.django_db(transaction=True),
]


def _database_url() -> str:
    db = connection.settings_dict
    user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    auth = f"{user}:{db['PASSWORD']}" if db["PASSWORD"] else user
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def start_worker(biller) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "DATABASE_URL": _database_url(),
        "EMITRA_DEV": "1",
        "OUTBOX_BACKEND": "inline",
        "OUTBOX_LEASE_SECONDS": "1",  # a dead worker's lease runs out quickly
        "BILLER_URL": settings.BILLER_URL,
        "BILLER_KEY": settings.BILLER_KEY,
        "BILLPAY_POLL_SECONDS": "0",
        # Partners this test does not use: a port nobody listens on.
        "SMS_GATEWAY_URL": "http://127.0.0.1:9",
        "PAYMENT_GATEWAY_URL": "http://127.0.0.1:9",
    }

    def start(*args: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "emitra.cli", "worker", "--interval", "0.1", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def _until(check: Callable[[], Any], what: str) -> Any:
    """Wait (bounded) for another process to get somewhere; nothing is asserted on time."""
    for _ in range(600):
        if value := check():
            return value
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def _converges(number: str, start_worker: Callable[..., subprocess.Popen[bytes]]) -> None:
    worker = start_worker()
    _until(lambda: BillPayment.objects.get(number=number).state != PaymentState.PENDING, "the end")
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=10)


def _postings(number: str) -> int:
    return JournalTransaction.objects.filter(
        cause_type="billpay.billpayment", cause_id=number
    ).count()


def test_killed_between_the_billers_success_and_the_posting(biller, pay, wallet, start_worker):
    payment = pay(k_number(0))
    with psycopg.connect(_database_url(), autocommit=False) as blocker:
        # Hold the payment row: the worker calls the biller, then waits to post.
        blocker.execute(
            "SELECT id FROM billpay_billpayment WHERE number = %s FOR UPDATE", [payment.number]
        )
        worker = start_worker()
        _until(lambda: biller.payments(payment.consumer), "the biller's confirmation")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        blocker.rollback()

    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    assert _postings(payment.number) == 0

    _converges(payment.number, start_worker)

    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS
    assert _postings(payment.number) == 1
    assert len(biller.payments(payment.consumer)) == 1
    assert_ledger_ok()


def test_killed_between_the_hold_and_the_biller_call(biller, pay, wallet, start_worker):
    payment = pay(k_number(1))
    with psycopg.connect(_database_url(), autocommit=False) as blocker:
        # Nobody may read payments: the worker claims the message, then waits to read it.
        blocker.execute("LOCK TABLE billpay_billpayment IN ACCESS EXCLUSIVE MODE")
        worker = start_worker()
        _until(
            lambda: blocker.execute(
                "SELECT 1 FROM core_outboxmessage WHERE topic = 'billpay.call_biller' "
                "AND attempts > 0"
            ).fetchone(),
            "the worker's claim",
        )
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        blocker.rollback()

    assert biller.payments(payment.consumer) == []
    _converges(payment.number, start_worker)

    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCESS
    assert _postings(payment.number) == 1
    assert len(biller.payments(payment.consumer)) == 1
    assert_ledger_ok()
