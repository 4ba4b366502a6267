import threading
from datetime import timedelta

import pytest
from django.db import connection

from emitra.core.errors import DomainError
from emitra.ledger import selectors, services
from emitra.ledger.models import AccountKind, Hold, JournalTransaction
from emitra.ledger.services import Leg
from emitra.ledger.verify import verify_ledger


def run_threads(count: int, work) -> list[object]:
    results: list[object] = []
    lock = threading.Lock()
    start = threading.Barrier(count)

    def body(i: int) -> None:
        try:
            start.wait()
            outcome = work(i)
        except DomainError as exc:
            outcome = exc.code
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_threads_spending_from_one_wallet_never_overdraw_and_lose_nothing():
    gateway = services.open_account(code="gw", kind=AccountKind.GATEWAY_CLEARING, name="gw")
    biller = services.open_account(code="bl", kind=AccountKind.BILLER_CLEARING, name="bl")
    wallet = services.open_account(code="w", kind=AccountKind.KIOSK_WALLET, name="w", floor=0)
    services.transfer(legs=[Leg(gateway, wallet, 30 * 100_00)], kind="topup", scope="t", key="fund")

    def spend(i: int):
        held = services.hold(
            account=wallet, amount=100_00, scope="op", key=f"h{i}", expires_in=timedelta(minutes=5)
        )
        return services.post_hold(
            hold=held, legs=[Leg(wallet, biller, 100_00)], scope="op", key=f"p{i}"
        )

    outcomes = run_threads(50, spend)
    paid = [o for o in outcomes if isinstance(o, JournalTransaction)]
    refused = [o for o in outcomes if o == "ledger.insufficient_funds"]
    assert (len(paid), len(refused)) == (30, 20)
    assert selectors.posted_balance(wallet) == 0
    assert selectors.posted_balance(biller) == 30 * 100_00
    assert Hold.objects.filter(state="open").count() == 0
    assert verify_ledger().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_key_sent_by_fifty_threads_at_once_posts_once():
    gateway = services.open_account(code="gw", kind=AccountKind.GATEWAY_CLEARING, name="gw")
    wallet = services.open_account(code="w", kind=AccountKind.KIOSK_WALLET, name="w", floor=0)

    def top_up(i: int):
        return services.transfer(
            legs=[Leg(gateway, wallet, 500_00)], kind="topup", scope="t", key="once"
        ).pk

    outcomes = run_threads(50, top_up)
    assert len(set(outcomes)) == 1
    assert JournalTransaction.objects.count() == 1
    assert selectors.posted_balance(wallet) == 500_00


@pytest.mark.django_db(transaction=True)
def test_concurrent_spending_on_the_configured_database_never_overdraws():
    gateway = services.open_account(code="gw", kind=AccountKind.GATEWAY_CLEARING, name="gw")
    biller = services.open_account(code="bl", kind=AccountKind.BILLER_CLEARING, name="bl")
    wallet = services.open_account(code="w", kind=AccountKind.KIOSK_WALLET, name="w", floor=0)
    services.transfer(legs=[Leg(gateway, wallet, 5 * 100_00)], kind="topup", scope="t", key="fund")

    def spend(i: int):
        return services.transfer(
            legs=[Leg(wallet, biller, 100_00)], kind="pay", scope="op", key=f"s{i}"
        )

    outcomes = run_threads(8, spend)
    assert sum(isinstance(o, JournalTransaction) for o in outcomes) == 5
    assert selectors.posted_balance(wallet) == 0
    assert verify_ledger().ok
