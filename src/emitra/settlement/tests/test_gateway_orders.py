"""Reconciliation knows every kind of gateway order that registers a source, not only top-ups:
a kind added later is reconciled without changing this app (a stand-in source here)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta

import pytest

from emitra.accounts.roles import Role
from emitra.core.timeutil import IST
from emitra.settlement import gateway_orders, services
from emitra.settlement.gateway_orders import OrderRef, OrderSource
from emitra.settlement.models import Mismatch, MismatchKind, Source

pytestmark = pytest.mark.django_db
DAY = date(2026, 4, 1)
DURING = datetime(2026, 4, 1, 12, 0, tzinfo=IST)


def fee(number: str, amount: int, *, collected: bool = True, order_id: str = "") -> OrderRef:
    return OrderRef(
        kind="test_fee",
        label="Test fee",
        number=number,
        gateway_order_id=order_id or f"pgo_{number}",
        amount=amount,
        collected=collected,
        state="paid" if collected else "pending",
        pk=int(number.rsplit("-", 1)[1]),
    )


@pytest.fixture
def fees() -> Iterator[list[tuple[OrderRef, datetime]]]:
    """A registered kind of order whose orders (and when each was collected) the test sets."""
    orders: list[tuple[OrderRef, datetime]] = []

    def find(order_ids: Sequence[str], numbers: Sequence[str]) -> list[OrderRef]:
        return [o for o, _ in orders if o.gateway_order_id in order_ids or o.number in numbers]

    def collected_between(start: datetime, end: datetime) -> list[OrderRef]:
        return [o for o, at in orders if o.collected and start <= at < end]

    gateway_orders.register_source(
        OrderSource(
            kind="test_fee",
            label="Test fee",
            noun="test fee",
            find=find,
            collected_between=collected_between,
        )
    )
    yield orders
    gateway_orders.unregister_source("test_fee")


def _file(*lines: str) -> list[services.GatewayRow]:
    return services.parse_gateway_file(
        "order_id,merchant_order_id,amount,fee,net,status,paid_at\n" + "\n".join(lines)
    )


def test_top_ups_are_a_source_out_of_the_box():
    assert gateway_orders.source_of(gateway_orders.TOPUP) is not None
    assert gateway_orders.label_of(gateway_orders.TOPUP) == "Wallet top-up"
    assert gateway_orders.label_of("gone") == "gone"  # a kind no longer registered


def test_a_registered_kind_of_order_is_reconciled(fees):
    clean, short, twice, pending, absent = (
        fee("TFP-1", 100_00),
        fee("TFP-2", 200_00),
        fee("TFP-3", 300_00),
        fee("TFP-4", 400_00, collected=False),
        fee("TFP-5", 500_00),
    )
    fees.extend((o, DURING) for o in (clean, short, twice, pending, absent))
    rows = _file(
        "pgo_TFP-1,TFP-1,100.00,1.00,99.00,paid,",
        "pgo_TFP-2,TFP-2,199.00,1.99,197.01,paid,",
        "pgo_TFP-3,TFP-3,300.00,3.00,297.00,paid,",
        "pgo_TFP-3,TFP-3,300.00,3.00,297.00,paid,",
        "pgo_TFP-4,TFP-4,400.00,4.00,396.00,paid,",
        "pgo_nobody,XYZ-1,50.00,0.50,49.50,paid,",
    )

    findings = services.compare_gateway(day=DAY, rows=rows, earlier_rows=list)

    assert sorted((f.reference, f.kind, f.ours, f.theirs, f.order_kind) for f in findings) == [
        ("TFP-2", MismatchKind.AMOUNT, 200_00, 199_00, "test_fee"),
        ("TFP-3", MismatchKind.DUPLICATE, 300_00, 300_00, "test_fee"),
        ("TFP-4", MismatchKind.MISSING_OURS, None, 400_00, "test_fee"),
        ("TFP-5", MismatchKind.MISSING_THEIRS, 500_00, None, "test_fee"),
        ("XYZ-1", MismatchKind.MISSING_OURS, None, 50_00, ""),
    ]
    assert all(f.topup_id is None for f in findings)
    assert {f.order_pk for f in findings if f.order_kind} == {2, 3, 4, 5}
    missing_ours = next(f for f in findings if f.reference == "TFP-4")
    assert missing_ours.detail == "gateway order pgo_TFP-4 paid; our test fee: pending"


def test_an_order_collected_after_midnight_is_found_in_the_earlier_file(fees):
    late = fee("TFP-7", 700_00)
    fees.append((late, DURING))
    before = _file("pgo_TFP-7,TFP-7,700.00,7.00,693.00,paid,")

    findings = services.compare_gateway(day=DAY, rows=[], earlier_rows=lambda: before)

    assert findings == []


def test_an_order_collected_on_another_day_is_not_looked_for(fees):
    fees.append((fee("TFP-8", 800_00), DURING + timedelta(days=1)))

    assert services.compare_gateway(day=DAY, rows=[], earlier_rows=list) == []


def test_mismatches_remember_the_kind_of_order(fees):
    fees.append((fee("TFP-9", 900_00), DURING))

    services._record(
        source=Source.GATEWAY,
        partner="",
        day=DAY,
        findings=services.compare_gateway(day=DAY, rows=[], earlier_rows=list),
        rows=0,
        digest="",
        actor=None,
    )

    mismatch = Mismatch.objects.get()
    assert (mismatch.order_kind, mismatch.order_pk, mismatch.topup_id) == ("test_fee", 9, None)


@pytest.mark.parametrize("role", [Role.STATE_ADMIN, Role.AUDITOR])
def test_the_report_and_its_export_say_which_kind_of_order(client_as, role, fees):
    Mismatch.objects.create(
        source=Source.GATEWAY,
        day=DAY,
        reference="TFP-9",
        kind=MismatchKind.MISSING_THEIRS,
        ours=900_00,
        order_kind="test_fee",
        order_pk=9,
    )
    Mismatch.objects.create(
        source=Source.GATEWAY,
        day=DAY,
        reference="XYZ-1",
        kind=MismatchKind.MISSING_OURS,
        theirs=50_00,
    )
    client = client_as(role)

    page = client.get("/settlement/mismatches/").content.decode()
    export = client.get("/settlement/mismatches/", {"format": "csv"}).content.decode()

    assert '<th scope="col">Order kind</th>' in page
    assert "Test fee" in page and "Unknown order" in page
    header = export.splitlines()[0]
    assert "Kind,Order kind,Our amount (INR)" in header
    assert ",Test fee,900.00," in export
    assert ",Unknown order,,50.00," in export
