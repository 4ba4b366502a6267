"""Posting a service payment: the legs of DESIGN.md §4 rule 7, exact to the paisa, from the
catalog version in force, once per key, and only for the amount that was held."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from emitra.accounts.roles import Role
from emitra.catalog import services as catalog_services
from emitra.catalog.pricing import quote
from emitra.commissions import services
from emitra.commissions.errors import HoldDoesNotMatch, WrongWallet
from emitra.commissions.models import CommissionLine
from emitra.commissions.tests.conftest import FUNDS, funded_wallet
from emitra.core.money import Paise
from emitra.ledger import chart, selectors
from emitra.ledger import services as ledger
from emitra.ledger.errors import HoldResolved, KeyReused
from emitra.ledger.models import Entry, HoldState, JournalTransaction
from emitra.ledger.services import Cause
from emitra.ledger.verify import verify_ledger


def balance(code: str) -> int:
    return sum(Entry.objects.filter(account__code=code).values_list("amount", flat=True))


def test_a_g2c_application_credits_the_fee_head_and_shares_the_charge(pay, operator, wallet):
    paid = pay("domicile", operator, wallet)

    assert paid.quote.total_citizen == 60_00  # ₹10 fee + ₹50 charge
    # Category B: the kiosk gets 77 % of ₹50, the LSP 8 %, the state the rest.
    assert selectors.posted_balance(wallet) == FUNDS - 60_00 + 38_50
    assert selectors.available_balance(wallet) == FUNDS - 60_00 + 38_50
    assert balance("revenue:revenue:revenue-fee") == 10_00
    assert balance(chart.LSP_COMMISSION_POOL) == 4_00
    assert balance(chart.STATE_COMMISSION) == 7_50
    assert 10_00 + 38_50 + 4_00 + 7_50 == 60_00
    line = paid.line
    assert (line.amount, line.service_charge, line.kiosk_share, line.lsp_share) == (
        60_00,
        50_00,
        38_50,
        4_00,
    )
    assert (line.state_share, line.payer, line.kiosk_category, line.channel) == (
        7_50,
        "citizen",
        "B",
        "kiosk",
    )
    assert (line.operator, line.wallet, line.service_code) == (operator, wallet, "domicile")
    txn = line.transaction
    assert txn.kind == "application_fee"
    assert (txn.cause_type, txn.actor_id) == ("test.payment", operator.pk)
    assert sum(txn.entries.values_list("amount", flat=True)) == 0
    paid.hold.refresh_from_db()
    assert (paid.hold.state, paid.hold.posted_amount) == (HoldState.POSTED, 60_00)
    assert verify_ledger().ok


def test_a_department_paid_bill_costs_the_citizen_only_the_bill(pay, operator, wallet):
    paid = pay("electricity", operator, wallet, amount=1_500_00)

    assert paid.quote.total_citizen == 1_500_00
    assert paid.hold.amount == 1_500_00
    assert selectors.posted_balance(wallet) == FUNDS - 1_500_00 + 7_70  # 77 % of ₹10
    assert balance("revenue:energy:jvvnl-bill") == 1_500_00  # gross, as the biller reports
    assert balance("revenue:energy:commission") == -10_00  # what the department owes
    assert balance(chart.LSP_COMMISSION_POOL) == 80
    assert balance(chart.STATE_COMMISSION) == 1_50
    line = paid.line
    assert (line.payer, line.amount, line.service_charge) == ("department", 1_500_00, 10_00)
    assert (line.kiosk_share, line.lsp_share, line.state_share) == (7_70, 80, 1_50)
    assert line.transaction.kind == "bill_payment"
    assert verify_ledger().ok


def test_the_version_in_force_at_the_payment_prices_it(pay, catalog, operator, wallet, make_user):
    domicile = catalog["domicile"]
    today = domicile.versions.get()
    draft = catalog_services.create_draft_version(
        actor=make_user(Role.STATE_ADMIN), service=domicile
    )
    draft.fees.update(amount=25_00)
    tomorrow = timezone.now() + timedelta(days=1)
    catalog_services.publish_version(actor=None, version=draft, effective_from=tomorrow)

    paid = pay("domicile", operator, wallet)

    assert paid.line.version == today
    assert paid.line.amount == 60_00
    assert balance("revenue:revenue:revenue-fee") == 10_00
    later = quote(
        service=domicile,
        amount=Paise(0),
        channel="kiosk",
        kiosk_category="B",
        at=tomorrow + timedelta(hours=1),
    )
    assert (later.version, later.total_citizen) == (draft, 75_00)


def test_a_replayed_key_posts_once_and_returns_the_first_line(pay, operator, wallet):
    paid = pay("domicile", operator, wallet)

    again = services.post_service_payment(
        operator=operator,
        wallet=wallet,
        hold=paid.hold,
        quote=paid.quote,
        scope="test-pay",
        key=paid.key,
        cause=Cause("test.payment", "again"),
    )

    assert again == paid.line
    assert CommissionLine.objects.count() == 1
    assert JournalTransaction.objects.filter(scope="test-pay").count() == 1
    assert selectors.posted_balance(wallet) == FUNDS - 60_00 + 38_50


def test_the_same_key_for_another_payment_is_refused(pay, operator, wallet):
    first = pay("domicile", operator, wallet)

    with pytest.raises(KeyReused):
        pay("electricity", operator, wallet, amount=500_00, key=first.key)

    assert CommissionLine.objects.count() == 1


def test_a_hold_of_another_amount_is_refused_and_nothing_is_written(catalog, operator, wallet):
    priced = quote(
        service=catalog["domicile"], amount=Paise(0), channel="kiosk", kiosk_category="B"
    )
    held = ledger.hold(
        account=wallet,
        amount=priced.total_citizen - 1,
        scope="test-hold",
        key="short",
        expires_in=timedelta(minutes=15),
    )
    transactions = JournalTransaction.objects.count()

    with pytest.raises(HoldDoesNotMatch) as refused:
        services.post_service_payment(
            operator=operator,
            wallet=wallet,
            hold=held,
            quote=priced,
            scope="test-pay",
            key="short",
            cause=Cause("test.payment", "short"),
        )

    assert refused.value.code == "commissions.hold_mismatch"
    assert "₹59.99" in str(refused.value.message) and "₹60.00" in str(refused.value.message)
    assert JournalTransaction.objects.count() == transactions
    assert not CommissionLine.objects.exists()
    held.refresh_from_db()
    assert held.state == HoldState.OPEN
    assert selectors.available_balance(wallet) == FUNDS - 59_99


def test_a_hold_on_another_operators_wallet_is_refused(catalog, operator, wallet, make_user):
    other = funded_wallet(make_user(Role.OPERATOR))
    priced = quote(
        service=catalog["domicile"], amount=Paise(0), channel="kiosk", kiosk_category="B"
    )
    held = ledger.hold(
        account=other, amount=60_00, scope="h", key="other", expires_in=timedelta(minutes=5)
    )

    with pytest.raises(WrongWallet):
        services.post_service_payment(
            operator=operator,
            wallet=other,
            hold=held,
            quote=priced,
            scope="test-pay",
            key="other",
            cause=Cause("test.payment", "other"),
        )

    assert not CommissionLine.objects.exists()


def test_the_portal_channel_leaves_the_whole_charge_with_the_state(catalog, operator, wallet):
    priced = quote(
        service=catalog["domicile"], amount=Paise(0), channel="portal", kiosk_category=""
    )
    held = ledger.hold(
        account=wallet, amount=60_00, scope="h", key="portal", expires_in=timedelta(minutes=5)
    )

    line = services.post_service_payment(
        operator=operator,
        wallet=wallet,
        hold=held,
        quote=priced,
        scope="test-pay",
        key="portal",
        cause=Cause("test.payment", "portal"),
    )

    assert (line.kiosk_share, line.lsp_share, line.state_share) == (0, 0, 50_00)
    assert selectors.posted_balance(wallet) == FUNDS - 60_00
    assert balance(chart.STATE_COMMISSION) == 50_00
    assert verify_ledger().ok


def test_a_hold_posted_once_is_not_posted_again_under_another_key(pay, operator, wallet):
    paid = pay("domicile", operator, wallet)

    with pytest.raises(HoldResolved):
        services.post_service_payment(
            operator=operator,
            wallet=wallet,
            hold=paid.hold,
            quote=paid.quote,
            scope="test-pay",
            key="another-key",
            cause=Cause("test.payment", "again"),
        )

    assert CommissionLine.objects.count() == 1
    assert selectors.posted_balance(wallet) == FUNDS - 60_00 + 38_50


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE commissions_commissionline SET kiosk_share = kiosk_share + 1",
        "DELETE FROM commissions_commissionline",
    ],
)
def test_commission_lines_cannot_be_changed_even_by_raw_sql(pay, operator, wallet, sql):
    from django.db import DatabaseError, connection, transaction

    pay("domicile", operator, wallet)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert CommissionLine.objects.get().kiosk_share == 38_50
