"""Bills paid online are gateway orders too: the daily reconciliation of the gateway's
settlement file (the simulator, over HTTP) checks them beside the wallet top-ups."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from emitra.accounts.roles import Role
from emitra.applications.tests.factories import form_data, good_files
from emitra.catalog.models import Service
from emitra.core.timeutil import IST
from emitra.geo.models import Block, District
from emitra.payments import services as payments
from emitra.portal import services
from emitra.portal.models import OnlineBill, OnlineFee, OnlineState
from emitra.portal.reconcile import ONLINE_BILL, ONLINE_FEE
from emitra.settlement import services as settlement
from emitra.settlement.models import Mismatch, MismatchKind, MismatchState

pytestmark = [pytest.mark.simulators, pytest.mark.django_db]

NO_CALLBACK = "http://127.0.0.1:9"  # nothing listens: the gateway's callbacks never land
CONSUMERS = iter(f"14035678{n:02d}" for n in range(0, 100, 10))  # last digit 0: biller pays


def today():
    return timezone.now().astimezone(IST).date()


def start(citizen, phed) -> OnlineBill:
    fetched = services.fetch_bill(citizen=citizen, biller=phed, consumer=next(CONSUMERS))
    return services.start_bill_payment(
        citizen=citizen,
        fetched=fetched,
        amount=fetched.amount,
        key=uuid.uuid4().hex,
        site_url=NO_CALLBACK,
    )


def paid(sim, citizen, phed) -> OnlineBill:
    """Paid at the gateway; its callback is lost, and our status check collects it."""
    order = start(citizen, phed)
    sim.pay(order.gateway_order_id, drop_callback="1")
    order = services.check_status(order=order)
    assert order.state == OnlineState.PAID
    return order


def topup_paid(sim, operator):
    topup = payments.start_topup(
        operator=operator, amount=500_00, key=uuid.uuid4().hex, site_url=NO_CALLBACK
    )
    sim.pay(topup.gateway_order_id, drop_callback="1")
    return payments.reconcile_topup(topup=topup)


@pytest.fixture
def operator(make_user):
    return make_user(Role.OPERATOR)


def test_a_paid_online_bill_in_the_gateway_file_matches_cleanly(
    biller, payment_gateway, citizen, phed, operator
):
    order = paid(payment_gateway, citizen, phed)
    topup_paid(payment_gateway, operator)
    failed = start(citizen, phed)
    payment_gateway.fail(failed.gateway_order_id, drop_callback="1")
    assert services.check_status(order=failed).state == OnlineState.FAILED

    result = settlement.reconcile_gateway_day(day=today())

    assert order.number.startswith("OBP-")
    assert result.run.rows == 3 and result.findings == []
    assert not Mismatch.objects.exists()


def test_a_refunded_online_bill_was_collected_and_matches_the_file(
    biller, payment_gateway, citizen, phed
):
    """The money arrived for a refunded order too (it is owed back to the citizen, not lost)."""
    order = paid(payment_gateway, citizen, phed)
    OnlineBill.objects.filter(pk=order.pk).update(state=OnlineState.REFUNDED, bill_payment=None)

    result = settlement.reconcile_gateway_day(day=today())

    assert result.findings == []


def test_an_online_bill_we_collected_but_absent_from_the_file_is_missing_theirs(
    biller, payment_gateway, citizen, phed
):
    order = paid(payment_gateway, citizen, phed)
    payment_gateway.reset()  # the gateway forgets the order: it is in neither day's file

    settlement.reconcile_gateway_day(day=today())

    mismatch = Mismatch.objects.get()
    assert (mismatch.reference, mismatch.kind) == (order.number, MismatchKind.MISSING_THEIRS)
    assert (mismatch.ours, mismatch.theirs) == (order.total, None)
    assert (mismatch.order_kind, mismatch.order_pk, mismatch.topup_id) == (
        ONLINE_BILL,
        order.pk,
        None,
    )


def test_an_online_bill_paid_at_the_gateway_but_not_collected_is_flagged_until_it_is(
    biller, payment_gateway, citizen, phed
):
    order = start(citizen, phed)
    payment_gateway.pay(order.gateway_order_id, drop_callback="1")  # no callback reaches us

    settlement.reconcile_gateway_day(day=today())
    mismatch = Mismatch.objects.get()
    services.check_status(order=order)  # the status check collects it
    again = settlement.reconcile_gateway_day(day=today())

    assert (mismatch.reference, mismatch.kind) == (order.number, MismatchKind.MISSING_OURS)
    assert (mismatch.ours, mismatch.theirs) == (None, order.total)
    assert mismatch.order_kind == ONLINE_BILL and mismatch.detail.endswith("online bill: pending")
    assert (again.opened, again.closed) == (0, 1)
    mismatch.refresh_from_db()
    assert mismatch.state == MismatchState.RESOLVED


def _file(*lines: str) -> list[settlement.GatewayRow]:
    return settlement.parse_gateway_file(
        "order_id,merchant_order_id,amount,fee,net,status,paid_at\n" + "\n".join(lines)
    )


def test_amounts_duplicates_failures_and_unknown_orders_are_flagged_beside_top_ups(
    biller, payment_gateway, citizen, phed, operator
):
    """The simulator cannot misreport; its file is rewritten here as a faulty gateway's."""
    one, two, three = (paid(payment_gateway, citizen, phed) for _ in range(3))
    topup = topup_paid(payment_gateway, operator)
    rows = _file(
        f"{one.gateway_order_id},{one.number},{(one.total - 100) / 100:.2f},0,0,paid,",
        f"{two.gateway_order_id},{two.number},{two.total / 100:.2f},0,0,paid,",
        f"{two.gateway_order_id},{two.number},{two.total / 100:.2f},0,0,paid,",
        f"{three.gateway_order_id},{three.number},{three.total / 100:.2f},0,0,failed,",
        f"{topup.gateway_order_id},{topup.number},499.00,0,0,paid,",
        "order_unknown,OBP-2026-27-999999999,100.00,1.00,99.00,paid,",
    )

    findings = settlement.compare_gateway(day=today(), rows=rows, earlier_rows=list)

    assert sorted((f.reference, f.kind, f.ours, f.theirs, f.order_kind) for f in findings) == (
        sorted(
            [
                (one.number, MismatchKind.AMOUNT, one.total, one.total - 100, ONLINE_BILL),
                (two.number, MismatchKind.DUPLICATE, two.total, two.total, ONLINE_BILL),
                (three.number, MismatchKind.FAILED_THEIRS, three.total, three.total, ONLINE_BILL),
                (topup.number, MismatchKind.AMOUNT, 500_00, 499_00, "topup"),
                ("OBP-2026-27-999999999", MismatchKind.MISSING_OURS, None, 100_00, ""),
            ]
        )
    )


def test_the_mismatch_report_names_online_bills_and_links_them_for_staff(
    client_as, biller, payment_gateway, citizen, phed
):
    order = paid(payment_gateway, citizen, phed)
    payment_gateway.reset()
    settlement.reconcile_gateway_day(day=today())
    client = client_as(Role.STATE_ADMIN)
    client.cookies["emitra_lang"] = "en"  # the labels are read by their English msgids

    page = client.get("/settlement/mismatches/").content.decode()
    export = client.get("/settlement/mismatches/", {"format": "csv"}).content.decode()

    assert f'<a href="/admin/portal/onlinebill/{order.pk}/change/">Online bill payment</a>' in page
    assert "Order kind" in export.splitlines()[0]
    assert f",Online bill payment,{order.total / 100:.2f},," in export and order.number in export


def test_an_application_fee_paid_online_is_reconciled_too(
    payment_gateway, citizen, settings, tmp_path
):
    """Fee orders (OFP-…) are the portal's second kind of gateway order."""
    settings.MEDIA_ROOT = tmp_path / "media"
    service = Service.objects.get(code="domicile-certificate")  # as the catalog ships it
    district = District.objects.get_or_create(
        slug="jaipur", defaults={"name_en": "Jaipur", "name_hi": "जयपुर", "lgd_code": 110}
    )[0]
    block = Block.objects.filter(district=district).first() or Block.objects.create(
        lgd_code=990001, district=district, name_en="Sanganer"
    )
    order = services.start_application(
        citizen=citizen,
        service=service,
        data=form_data(district, block),
        files=good_files(),
        key=uuid.uuid4().hex,
        site_url=NO_CALLBACK,
    )
    assert isinstance(order, OnlineFee)
    payment_gateway.pay(order.gateway_order_id, drop_callback="1")
    order = services.check_status(order=order)
    assert order.state == OnlineState.PAID

    assert settlement.reconcile_gateway_day(day=today()).findings == []

    payment_gateway.reset()  # the gateway forgets it: now it is missing from the file
    settlement.reconcile_gateway_day(day=today())
    mismatch = Mismatch.objects.get()
    assert (mismatch.reference, mismatch.kind) == (order.number, MismatchKind.MISSING_THEIRS)
    assert (mismatch.order_kind, mismatch.order_pk) == (ONLINE_FEE, order.pk)
