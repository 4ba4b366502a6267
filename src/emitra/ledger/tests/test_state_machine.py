"""Random top-ups, holds, posts, voids, reversals and replayed keys against a model.

After every step: everything sums to zero, each balance equals its entries, no wallet is
below its floor, each hold is resolved at most once, and the ledger agrees with the model.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

from emitra.core.errors import DomainError
from emitra.ledger import selectors, services
from emitra.ledger.models import Account, AccountKind, Hold, HoldState, JournalTransaction
from emitra.ledger.services import Leg
from emitra.ledger.verify import verify_ledger

amounts = st.integers(min_value=1, max_value=5_000_00)


class LedgerMachine(RuleBasedStateMachine):
    holds = Bundle("holds")
    transactions = Bundle("transactions")

    def __init__(self) -> None:
        super().__init__()
        # Each example runs in a savepoint rolled back at teardown, so examples are independent.
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.n = 0
        self.gateway = services.open_account(
            code="gw", kind=AccountKind.GATEWAY_CLEARING, name="gw"
        )
        self.biller = services.open_account(code="bl", kind=AccountKind.BILLER_CLEARING, name="bl")
        self.wallets = [
            services.open_account(
                code=f"w{i}", kind=AccountKind.KIOSK_WALLET, name="w", floor=floor
            )
            for i, floor in enumerate((0, -1_000_00))
        ]
        self.model_balance = {w.pk: 0 for w in self.wallets}
        self.model_held = {w.pk: 0 for w in self.wallets}
        self.model_holds: dict[int, str] = {}
        self.keys: dict[str, tuple[int, int]] = {}

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    def key(self) -> str:
        self.n += 1
        return f"k{self.n}"

    def available(self, wallet: Account) -> int:
        return self.model_balance[wallet.pk] - self.model_held[wallet.pk]

    @rule(target=transactions, i=st.integers(0, 1), amount=amounts)
    def top_up(self, i, amount):
        wallet = self.wallets[i]
        key = self.key()
        txn = services.transfer(
            legs=[Leg(self.gateway, wallet, amount)], kind="topup", scope="sm", key=key
        )
        self.keys[key] = (wallet.pk, amount)
        self.model_balance[wallet.pk] += amount
        return txn

    @rule(i=st.integers(0, 1), amount=amounts)
    def spend(self, i, amount):
        wallet = self.wallets[i]
        try:
            services.transfer(
                legs=[Leg(wallet, self.biller, amount)], kind="pay", scope="sm", key=self.key()
            )
        except DomainError as exc:
            assert exc.code == "ledger.insufficient_funds"
            assert self.available(wallet) - amount < wallet.floor
        else:
            assert self.available(wallet) - amount >= wallet.floor
            self.model_balance[wallet.pk] -= amount

    @rule(data=st.data())
    def replay_a_key(self, data):
        if not self.keys:
            return
        key = data.draw(st.sampled_from(sorted(self.keys)))
        wallet_id, amount = self.keys[key]
        wallet = next(w for w in self.wallets if w.pk == wallet_id)
        before = JournalTransaction.objects.count()
        services.transfer(
            legs=[Leg(self.gateway, wallet, amount)], kind="topup", scope="sm", key=key
        )
        with pytest.raises(DomainError):
            services.transfer(
                legs=[Leg(self.gateway, wallet, amount + 1)], kind="topup", scope="sm", key=key
            )
        assert JournalTransaction.objects.count() == before

    @rule(target=holds, i=st.integers(0, 1), amount=amounts)
    def hold(self, i, amount):
        wallet = self.wallets[i]
        try:
            held = services.hold(
                account=wallet,
                amount=amount,
                scope="sm",
                key=self.key(),
                expires_in=timedelta(hours=1),
            )
        except DomainError as exc:
            assert exc.code == "ledger.insufficient_funds"
            return None
        self.model_held[wallet.pk] += amount
        self.model_holds[held.pk] = "open"
        return held

    @rule(held=consumes(holds), fraction=st.floats(0.01, 1.0))
    def post(self, held, fraction):
        if held is None:
            return
        spend = max(1, int(held.amount * fraction))
        wallet = next(w for w in self.wallets if w.pk == held.account_id)
        legs = [Leg(wallet, self.biller, spend)]
        if self.model_holds[held.pk] != "open":
            with pytest.raises(DomainError) as caught:
                services.post_hold(hold=held, legs=legs, scope="sm", key=self.key())
            assert caught.value.code == "ledger.hold_resolved"
            return
        services.post_hold(hold=held, legs=legs, scope="sm", key=self.key())
        self.model_held[wallet.pk] -= held.amount
        self.model_balance[wallet.pk] -= spend
        self.model_holds[held.pk] = "posted"

    @rule(held=holds)
    def void(self, held):
        if held is None:
            return
        state = self.model_holds[held.pk]
        try:
            services.void_hold(hold=held)
        except DomainError as exc:
            assert state == "posted" and exc.code == "ledger.hold_resolved"
            return
        if state == "open":
            self.model_held[held.account_id] -= held.amount
            self.model_holds[held.pk] = "voided"

    @rule(txn=consumes(transactions))
    def reverse(self, txn):
        wallet_entry = txn.entries.get(account__kind=AccountKind.KIOSK_WALLET)
        wallet = next(w for w in self.wallets if w.pk == wallet_entry.account_id)
        try:
            services.reverse(original=txn, scope="sm", key=self.key())
        except DomainError as exc:
            assert exc.code == "ledger.insufficient_funds"
            assert self.available(wallet) - wallet_entry.amount < wallet.floor
        else:
            self.model_balance[wallet.pk] -= wallet_entry.amount

    @invariant()
    def ledger_agrees_with_the_model(self):
        report = verify_ledger()
        assert report.ok, report.breaches
        for wallet in self.wallets:
            assert selectors.posted_balance(wallet) == self.model_balance[wallet.pk]
            assert selectors.available_balance(wallet) == self.available(wallet)
            assert wallet.floor is not None and self.available(wallet) >= wallet.floor
        for hold_id, state in self.model_holds.items():
            assert Hold.objects.get(pk=hold_id).state == state
        assert Hold.objects.filter(state=HoldState.POSTED, resolved_by__isnull=True).count() == 0


@pytest.mark.django_db
def test_random_ledger_activity_keeps_every_invariant():
    LedgerMachine.TestCase.settings = settings(
        max_examples=20,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    LedgerMachine.TestCase().runTest()
