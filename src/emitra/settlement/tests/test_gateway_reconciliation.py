"""Reconciliation against the payment gateway's settlement file (the simulator, over HTTP)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from emitra.core.models import AuditEntry
from emitra.core.timeutil import IST
from emitra.payments import services as payments
from emitra.payments.models import TopUp, TopUpState
from emitra.settlement import services
from emitra.settlement.models import Mismatch, MismatchKind, MismatchState, ReconciliationRun

pytestmark = [pytest.mark.django_db, pytest.mark.simulators]
NO_CALLBACK = "http://127.0.0.1:9"  # nothing listens: callbacks are dropped or never land


def today():
    return timezone.now().astimezone(IST).date()


def start(operator, amount=500_00) -> TopUp:
    return payments.start_topup(
        operator=operator, amount=amount, key=uuid.uuid4().hex, site_url=NO_CALLBACK
    )


def paid_and_credited(sim, operator, amount=500_00) -> TopUp:
    topup = start(operator, amount)
    sim.pay(topup.gateway_order_id, drop_callback="1")
    return payments.reconcile_topup(topup=topup)


def failed(sim, operator) -> TopUp:
    topup = start(operator)
    sim.fail(topup.gateway_order_id, drop_callback="1")
    return payments.reconcile_topup(topup=topup)


def kinds():
    return sorted((m.reference, m.kind) for m in Mismatch.objects.all())


def test_nothing_is_flagged_when_the_books_agree(payment_gateway, operator):
    paid_and_credited(payment_gateway, operator)
    paid_and_credited(payment_gateway, operator, amount=1_250_50)
    assert failed(payment_gateway, operator).state == TopUpState.FAILED

    result = services.reconcile_gateway_day(day=today())

    assert result.findings == []
    assert not Mismatch.objects.exists()
    run = ReconciliationRun.objects.get()
    assert (run.rows, run.mismatches) == (3, 0)
    assert AuditEntry.objects.filter(action="settlement.reconciled").exists()


def test_paid_at_the_gateway_but_not_credited_is_flagged(payment_gateway, operator):
    paid_and_credited(payment_gateway, operator)
    lost = start(operator, 700_00)
    payment_gateway.pay(lost.gateway_order_id, drop_callback="1")  # the callback never comes

    services.reconcile_gateway_day(day=today())

    mismatch = Mismatch.objects.get()
    assert (mismatch.reference, mismatch.kind) == (lost.number, MismatchKind.MISSING_OURS)
    assert (mismatch.ours, mismatch.theirs) == (None, 700_00)
    assert mismatch.topup_id == lost.pk
    assert (mismatch.order_kind, mismatch.order_pk) == ("topup", lost.pk)
    assert mismatch.source == "gateway" and mismatch.state == MismatchState.OPEN


def test_credited_by_us_but_absent_from_the_gateway_file_is_flagged(payment_gateway, operator):
    topup = paid_and_credited(payment_gateway, operator)
    payment_gateway.reset()  # the gateway forgets the order: it is in neither day's file

    services.reconcile_gateway_day(day=today())

    assert kinds() == [(topup.number, MismatchKind.MISSING_THEIRS)]
    assert Mismatch.objects.get().ours == 500_00


def test_running_a_day_again_closes_what_was_put_right(payment_gateway, operator):
    lost = start(operator)
    payment_gateway.pay(lost.gateway_order_id, drop_callback="1")
    services.reconcile_gateway_day(day=today())
    assert Mismatch.objects.get().state == MismatchState.OPEN
    payments.reconcile_topup(topup=lost)  # the status check credits it

    second = services.reconcile_gateway_day(day=today())

    assert (second.opened, second.closed) == (0, 1)
    mismatch = Mismatch.objects.get()
    assert mismatch.state == MismatchState.RESOLVED
    assert mismatch.resolved_by is None and mismatch.resolution_note


def test_the_gateway_file_is_fetched_for_the_right_day(payment_gateway, operator):
    paid_and_credited(payment_gateway, operator)

    result = services.reconcile_gateway_day(day=today() - timedelta(days=3))

    # Nothing completed that day at the gateway, and nothing we completed that day either.
    assert result.run.rows == 0 and result.findings == []


def _file(*lines: str) -> str:
    return "order_id,merchant_order_id,amount,fee,net,status,paid_at\n" + "\n".join(lines)


def test_amount_differences_duplicates_and_gateway_failures_are_flagged(payment_gateway, operator):
    """The simulator cannot misreport amounts, repeat rows or fail an order after it paid;
    its file is therefore rewritten here, as a faulty gateway would have sent it."""
    one = paid_and_credited(payment_gateway, operator, 500_00)
    two = paid_and_credited(payment_gateway, operator, 600_00)
    three = paid_and_credited(payment_gateway, operator, 700_00)
    rows = services.parse_gateway_file(
        _file(
            f"{one.gateway_order_id},{one.number},499.00,4.99,494.01,paid,",
            f"{two.gateway_order_id},{two.number},600.00,6.00,594.00,paid,",
            f"{two.gateway_order_id},{two.number},600.00,6.00,594.00,paid,",
            f"{three.gateway_order_id},{three.number},700.00,0.00,0.00,failed,",
            "order_unknown,TOP-2026-27-999999999,100.00,1.00,99.00,paid,",
        )
    )

    findings = services.compare_gateway(day=today(), rows=rows, earlier_rows=list)

    assert sorted((f.reference, f.kind, f.ours, f.theirs) for f in findings) == sorted(
        [
            (one.number, MismatchKind.AMOUNT, 500_00, 499_00),
            (two.number, MismatchKind.DUPLICATE, 600_00, 600_00),
            (three.number, MismatchKind.FAILED_THEIRS, 700_00, 700_00),
            ("TOP-2026-27-999999999", MismatchKind.MISSING_OURS, None, 100_00),
        ]
    )


def test_a_malformed_file_is_refused(db):
    with pytest.raises(services.MalformedReport):
        services.parse_gateway_file("order_id,amount\nx,1.00\n")
    with pytest.raises(services.MalformedReport):
        services.parse_gateway_file(_file("o,TOP-1,12.345,0,0,paid,"))
