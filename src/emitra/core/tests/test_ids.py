import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from emitra.core.errors import InvalidInput
from emitra.core.ids import next_number, parse_number
from emitra.core.models import IdSeries
from emitra.core.timeutil import financial_year


def test_financial_year_turns_on_the_first_of_april_in_ist():
    assert financial_year(datetime(2026, 3, 31, 18, 29, tzinfo=UTC)) == "2025-26"  # 23:59 IST
    assert financial_year(datetime(2026, 3, 31, 18, 30, tzinfo=UTC)) == "2026-27"  # 00:00 IST
    assert financial_year(datetime(2099, 12, 1, tzinfo=UTC)) == "2099-00"


@pytest.mark.django_db
def test_numbers_follow_one_another_and_print_with_the_year():
    at = datetime(2026, 11, 28, tzinfo=UTC)
    first, second = next_number("RCP", at=at), next_number("RCP", at=at)
    assert (first.value, second.value) == (1, 2)
    assert second.text == "RCP-2026-27-000000002"
    assert next_number("APP", at=at).value == 1  # series are independent
    assert next_number("RCP", at=datetime(2027, 4, 1, tzinfo=UTC)).text == "RCP-2027-28-000000001"


@pytest.mark.django_db
def test_a_rolled_back_number_is_issued_again():
    at = datetime(2026, 11, 28, tzinfo=UTC)
    next_number("TXN", at=at)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_number("TXN", at=at).value == 2
        raise RuntimeError("the receipt failed")
    assert next_number("TXN", at=at).value == 2


def test_numbers_outside_a_transaction_are_refused():
    with pytest.raises(RuntimeError, match="atomic"):
        next_number("RCP")


@pytest.mark.parametrize(
    "text",
    ["", "RCP-2026-27-12", "rcp 2026-27-000000001", "R-2026-27-000000001", "RCP-202627-000000001"],
)
def test_malformed_numbers_are_refused(text):
    with pytest.raises(InvalidInput):
        parse_number(text)


def test_printed_numbers_parse_back():
    assert parse_number("rcp-2026-27-000000042").value == 42


def _draw_concurrently(series: str, threads: int, draws: int) -> list[int]:
    drawn: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def work() -> None:
        try:
            start.wait()
            for _ in range(draws):
                with transaction.atomic():
                    value = next_number(series).value
                with lock:
                    drawn.append(value)
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return drawn


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_threads_on_postgresql_get_no_gap_and_no_duplicate():
    drawn = _draw_concurrently("CONC", threads=20, draws=10)
    assert sorted(drawn) == list(range(1, 201))
    assert IdSeries.objects.get(series="CONC").last_value == 200


@pytest.mark.django_db(transaction=True)
def test_threads_on_the_configured_database_get_no_gap_and_no_duplicate():
    drawn = _draw_concurrently("SQL", threads=8, draws=10)
    assert sorted(drawn) == list(range(1, 81))
