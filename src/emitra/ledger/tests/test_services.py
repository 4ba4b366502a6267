from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from emitra.core.models import AuditEntry
from emitra.ledger import errors, selectors, services
from emitra.ledger.models import AccountKind, Entry, Hold, HoldState, JournalTransaction
from emitra.ledger.services import Leg


def test_a_transfer_moves_money_and_balances_to_zero(wallet, gateway, fund):
    txn = fund(wallet, 500_00)
    assert selectors.posted_balance(wallet) == 500_00
    assert selectors.posted_balance(gateway) == -500_00
    assert sum(e.amount for e in txn.entries.all()) == 0


def test_replayed_key_returns_the_first_transaction(wallet, fund):
    first = fund(wallet, 100_00, key="same")
    replays = {fund(wallet, 100_00, key="same").pk for _ in range(100)}
    assert replays == {first.pk}
    assert JournalTransaction.objects.count() == 1
    assert selectors.posted_balance(wallet) == 100_00


def test_the_same_key_with_another_amount_is_refused(wallet, fund):
    fund(wallet, 100_00, key="k1")
    with pytest.raises(errors.KeyReused) as caught:
        fund(wallet, 200_00, key="k1")
    assert caught.value.status == 409
    assert selectors.posted_balance(wallet) == 100_00


@pytest.mark.parametrize("amount", [0, -1, -100_00, 1.5, True])
def test_zero_negative_and_non_integer_amounts_are_refused_and_audited(wallet, gateway, amount):
    with pytest.raises(errors.InvalidAmount):
        services.transfer(legs=[Leg(gateway, wallet, amount)], kind="topup", scope="t", key="bad")
    assert not Entry.objects.exists()
    assert AuditEntry.objects.filter(action="ledger.transfer.refused").count() == 1


def test_a_wallet_cannot_be_overdrawn(wallet, fund, open_account):
    biller = open_account(AccountKind.BILLER_CLEARING)
    fund(wallet, 100_00)
    with pytest.raises(errors.InsufficientFunds):
        services.transfer(legs=[Leg(wallet, biller, 100_01)], kind="pay", scope="t", key="over")
    assert selectors.posted_balance(wallet) == 100_00


def test_a_wallet_with_credit_may_go_down_to_its_floor(open_account, gateway):
    credit = open_account(AccountKind.KIOSK_WALLET, floor=-1_000_00)
    services.transfer(legs=[Leg(credit, gateway, 1_000_00)], kind="pay", scope="t", key="c")
    assert selectors.available_balance(credit) == -1_000_00
    with pytest.raises(errors.InsufficientFunds):
        services.transfer(legs=[Leg(credit, gateway, 1)], kind="pay", scope="t", key="c2")


def test_currency_mismatch_is_refused(wallet, open_account):
    usd = open_account(AccountKind.SUSPENSE, currency="USD")
    with pytest.raises(errors.CurrencyMismatch):
        services.transfer(legs=[Leg(usd, wallet, 100)], kind="x", scope="t", key="fx")
    assert not Entry.objects.exists()


def test_unbalanced_journal_is_refused(wallet, gateway):
    with pytest.raises(errors.Unbalanced):
        services.post_journal(entries=[(gateway, -100), (wallet, 99)], kind="x", scope="t", key="u")
    assert not Entry.objects.exists()


def test_closed_accounts_are_refused(wallet, gateway):
    wallet.is_active = False
    with pytest.raises(errors.UnknownAccount):
        services.transfer(legs=[Leg(gateway, wallet, 100)], kind="x", scope="t", key="closed")


def test_a_hold_reserves_money_and_posting_spends_it(wallet, fund, open_account):
    biller = open_account(AccountKind.BILLER_CLEARING)
    fund(wallet, 1_000_00)
    held = services.hold(
        account=wallet, amount=600_00, scope="t", key="h1", expires_in=timedelta(minutes=30)
    )
    assert selectors.available_balance(wallet) == 400_00
    assert selectors.posted_balance(wallet) == 1_000_00
    services.post_hold(hold=held, legs=[Leg(wallet, biller, 550_00)], scope="t", key="p1")
    held.refresh_from_db()
    assert (held.state, held.posted_amount) == (HoldState.POSTED, 550_00)
    assert selectors.available_balance(wallet) == 450_00
    assert selectors.posted_balance(biller) == 550_00


def test_a_hold_cannot_exceed_the_available_balance(wallet, fund):
    fund(wallet, 100_00)
    services.hold(account=wallet, amount=80_00, scope="t", key="a", expires_in=timedelta(minutes=5))
    with pytest.raises(errors.InsufficientFunds):
        services.hold(
            account=wallet, amount=20_01, scope="t", key="b", expires_in=timedelta(minutes=5)
        )


def test_a_hold_is_posted_at_most_once(wallet, fund, gateway):
    fund(wallet, 100_00)
    held = services.hold(
        account=wallet, amount=50_00, scope="t", key="h", expires_in=timedelta(minutes=5)
    )
    services.post_hold(hold=held, legs=[Leg(wallet, gateway, 50_00)], scope="t", key="p")
    with pytest.raises(errors.HoldResolved):
        services.post_hold(hold=held, legs=[Leg(wallet, gateway, 50_00)], scope="t", key="p-again")
    with pytest.raises(errors.HoldResolved):
        services.void_hold(hold=held)
    assert selectors.posted_balance(wallet) == 50_00


def test_posting_after_voiding_is_refused(wallet, fund, gateway):
    fund(wallet, 100_00)
    held = services.hold(
        account=wallet, amount=50_00, scope="t", key="h", expires_in=timedelta(minutes=5)
    )
    services.void_hold(hold=held)
    assert services.void_hold(hold=held).state == HoldState.VOIDED  # a replay, harmless
    with pytest.raises(errors.HoldResolved):
        services.post_hold(hold=held, legs=[Leg(wallet, gateway, 50_00)], scope="t", key="p")
    assert selectors.available_balance(wallet) == 100_00


def test_posting_more_than_was_held_is_refused(wallet, fund, gateway):
    fund(wallet, 100_00)
    held = services.hold(
        account=wallet, amount=50_00, scope="t", key="h", expires_in=timedelta(minutes=5)
    )
    with pytest.raises(errors.PostExceedsHold):
        services.post_hold(hold=held, legs=[Leg(wallet, gateway, 50_01)], scope="t", key="p")


def test_expired_holds_are_voided_by_the_job_and_cannot_be_posted(wallet, fund, gateway):
    fund(wallet, 100_00)
    held = services.hold(
        account=wallet, amount=70_00, scope="t", key="h", expires_in=timedelta(minutes=5)
    )
    later = timezone.now() + timedelta(minutes=6)
    with pytest.raises(errors.HoldExpired):
        services.post_hold(
            hold=held, legs=[Leg(wallet, gateway, 70_00)], scope="t", key="p", now=later
        )
    assert services.expire_holds(now=later) == 1
    held.refresh_from_db()
    assert held.state == HoldState.EXPIRED
    assert selectors.available_balance(wallet) == 100_00
    assert services.expire_holds(now=later) == 0


def test_a_reversal_mirrors_the_original_once(wallet, fund):
    original = fund(wallet, 300_00)
    reversal = services.reverse(original=original, scope="t", key="r1")
    assert reversal.reverses == original
    assert selectors.posted_balance(wallet) == 0
    assert services.reverse(original=original, scope="t", key="r1") == reversal  # replay
    with pytest.raises(errors.AlreadyReversed):
        services.reverse(original=original, scope="t", key="r2")


def test_a_reversal_that_would_overdraw_is_refused(wallet, fund, gateway):
    original = fund(wallet, 100_00)
    services.transfer(legs=[Leg(wallet, gateway, 60_00)], kind="pay", scope="t", key="spend")
    with pytest.raises(errors.InsufficientFunds):
        services.reverse(original=original, scope="t", key="r")


def test_a_bill_payment_shaped_posting_with_department_paid_commission(wallet, fund, open_account):
    biller = open_account(AccountKind.BILLER_CLEARING)
    revenue = open_account(AccountKind.REVENUE_HEAD)
    state = open_account(AccountKind.STATE_COMMISSION)
    lsp = open_account(AccountKind.LSP)
    fund(wallet, 2_000_00)
    held = services.hold(
        account=wallet, amount=1_234_50, scope="op", key="bill-1", expires_in=timedelta(minutes=15)
    )
    services.post_hold(
        hold=held,
        legs=[
            Leg(wallet, biller, 1_234_50),
            Leg(revenue, wallet, 7_70),
            Leg(revenue, lsp, 1_30),
            Leg(revenue, state, 1_00),
        ],
        scope="op",
        key="bill-1-post",
    )
    assert selectors.posted_balance(wallet) == 2_000_00 - 1_234_50 + 7_70
    assert selectors.posted_balance(revenue) == -10_00


def test_a_batch_applies_all_or_nothing(wallet, gateway, fund, open_account):
    biller = open_account(AccountKind.BILLER_CLEARING)
    fund(wallet, 100_00)
    ok = [
        services.TransferRequest([Leg(wallet, biller, 10_00)], "pay", "batch", f"b{i}")
        for i in range(5)
    ]
    ids = services.transfer_batch(transfers=ok)
    assert len(set(ids)) == 5 and selectors.posted_balance(wallet) == 50_00
    assert services.transfer_batch(transfers=ok) == ids  # replayed keys
    too_much = [
        services.TransferRequest([Leg(wallet, biller, 30_00)], "pay", "batch", f"c{i}")
        for i in range(2)
    ]
    with pytest.raises(errors.InsufficientFunds):
        services.transfer_batch(transfers=too_much)
    assert selectors.posted_balance(wallet) == 50_00  # the first of the two did not stay either


def test_a_batch_with_one_key_twice_for_different_requests_is_refused(wallet, gateway):
    requests = [
        services.TransferRequest([Leg(gateway, wallet, 10_00)], "topup", "batch", "same"),
        services.TransferRequest([Leg(gateway, wallet, 20_00)], "topup", "batch", "same"),
    ]
    with pytest.raises(errors.KeyReused):
        services.transfer_batch(transfers=requests)
    assert not Entry.objects.exists()


def test_a_batch_replaying_a_key_with_another_amount_is_refused(wallet, gateway, fund):
    fund(wallet, 10_00, key="first")
    again = [services.TransferRequest([Leg(gateway, wallet, 99)], "topup", "test", "first")]
    with pytest.raises(errors.KeyReused):
        services.transfer_batch(transfers=again)


def test_an_open_hold_is_extended_never_shortened_and_the_change_is_audited(wallet, fund):
    fund(wallet, 100_00)
    held = services.hold(
        account=wallet, amount=40_00, scope="t", key="ext", expires_in=timedelta(minutes=5)
    )
    later = held.expires_at + timedelta(days=30)

    assert services.extend_hold(hold=held, until=later, reason="staff decide").expires_at == later
    assert services.extend_hold(hold=held, until=held.expires_at, reason="x").expires_at == later
    assert services.expire_holds(now=held.expires_at + timedelta(days=1)) == 0
    assert AuditEntry.objects.filter(action="ledger.hold_extended").count() == 1


def test_a_resolved_hold_cannot_be_extended(wallet, fund):
    fund(wallet, 100_00)
    held = services.hold(
        account=wallet, amount=40_00, scope="t", key="ext2", expires_in=timedelta(minutes=5)
    )
    services.void_hold(hold=held)
    with pytest.raises(errors.HoldResolved):
        services.extend_hold(hold=held, until=held.expires_at + timedelta(days=1), reason="x")


@given(
    st.integers(min_value=1, max_value=2**62),
    st.integers(min_value=1, max_value=2**62),
    st.lists(st.tuples(*[st.integers(min_value=1, max_value=2**62)] * 3), min_size=1, max_size=6),
)
def test_the_hot_paths_written_out_digests_equal_the_generic_one(account_id, amount, legs):
    """Stored digests decide replays: the hot path's must be the very same text's."""
    generic = services.request_hash
    hold_payload = {"op": "hold", "account": account_id, "amount": amount}
    assert services._hold_hash(account_id, amount) == generic(hold_payload)
    post_payload = {"op": "post_hold", "hold": account_id, "legs": legs}
    assert services._post_hold_hash(account_id, legs) == generic(post_payload)


def _fields(instance: Any) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_what_hold_and_post_hold_return_is_what_the_database_holds(wallet, fund, open_account):
    """Built from what the database function wrote, not read back: every field must match."""
    fund(wallet, 100_00)
    biller = open_account(AccountKind.BILLER_CLEARING)
    held = services.hold(
        account=wallet, amount=40_00, scope="t", key="built", expires_in=timedelta(minutes=5)
    )
    assert not held._state.adding and held.get_deferred_fields() == set()
    assert _fields(held) == _fields(Hold.objects.get(pk=held.pk))
    assert held.account == wallet

    txn = services.post_hold(
        hold=held, legs=[Leg(wallet, biller, 30_00)], scope="t", key="built-post"
    )
    assert not txn._state.adding and txn.get_deferred_fields() == set()
    assert _fields(txn) == _fields(JournalTransaction.objects.get(pk=txn.pk))
