"""End-to-end bill payments per second through the kiosk HTTP API, beside the same server's
trivial route (/healthz) as the baseline, in the same run.

    EMITRA_VAR_DIR=/tmp/bench-bills .venv/bin/python bench/bill_payments.py \
        [--payments 200] [--concurrency 8] [--database sqlite|postgres] [--workers 1]

Sets up everything itself: a fresh database (SQLite under EMITRA_VAR_DIR, or the PostgreSQL
database `emitra_bench_bills` with --database postgres, dropped and re-created), migrations,
the shipped catalog, an operator with a funded wallet and a logged-in session; then starts the
biller simulator, gunicorn and `emitra worker` on free ports (never the lead's 8000/8025-8027).

One payment, timed from the first request to the answer that shows it final:
POST /api/v1/bills/fetch → POST /api/v1/bills/payments (Idempotency-Key) → GET
/api/v1/bills/payments/<number> every 50 ms until success. Every consumer's last digit is 0
(the simulator's instant success), so the figure is the platform's, not the biller's.
Prints payments/s and p50/p99 latency, and requests/s and p50/p99 for /healthz.
Not part of the test run.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DB = "emitra_bench_bills"
BILLER_KEY = "bench-biller-key"


SIM_ARGS = ("--api-key", BILLER_KEY)
# Partners this benchmark does not use point at a port nobody listens on, so the worker's
# periodic jobs (top-up reconciliation, settlement files) never reach a developer's simulators.
NOWHERE = "http://127.0.0.1:9"


def gunicorn_args(port: int) -> list[str]:
    return ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "8"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=0.5).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def configure(database: str) -> dict[str, str]:
    var = Path(os.environ.setdefault("EMITRA_VAR_DIR", str(ROOT / "var" / "bench")))
    var.mkdir(parents=True, exist_ok=True)
    if database == "postgres":
        for sql in (f"DROP DATABASE IF EXISTS {PG_DB}", f"CREATE DATABASE {PG_DB}"):
            subprocess.run(["psql", f"{PG}/postgres", "-qc", sql], check=True, capture_output=True)
        url = f"{PG}/{PG_DB}"
    else:
        db = var / "bench_bills.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db}"
    env = {
        "DATABASE_URL": url,
        "EMITRA_DEV": "1",
        "LOG_LEVEL": "WARNING",
        "OUTBOX_BACKEND": "inline",
        "BILLER_KEY": BILLER_KEY,
        "BILLPAY_POLL_SECONDS": "0.2",
        "PAYMENT_GATEWAY_URL": NOWHERE,
        "SMS_GATEWAY_URL": NOWHERE,
    }
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emitra.settings.base")
    return env


def setup_data(payments: int) -> tuple[str, str]:
    """Migrate, load the catalog, make and fund an operator; return (session id, CSRF token)."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    from emitra.accounts import services as accounts
    from emitra.accounts.roles import Role
    from emitra.catalog import catalogfile
    from emitra.ledger import chart
    from emitra.ledger import services as ledger
    from emitra.ledger.services import Leg

    call_command("migrate", verbosity=0)
    catalogfile.load_shipped_catalog()
    operator = accounts.create_user(
        full_name="Bench Operator",
        role=Role.OPERATOR,
        password=uuid.uuid4().hex,
        username=f"bench.{uuid.uuid4().hex[:8]}",
        mobile="9000000001",
    )
    # Money is taken only at an active kiosk: onboard one (the kiosk tests' builders).
    from emitra.kiosks.tests import factories

    factories.kiosk(factories.lsp(factories.district("jaipur")), status="active", operator=operator)
    wallet = ledger.open_operator_wallet(user_id=operator.pk, name=operator.full_name)
    ledger.transfer(
        legs=[Leg(chart.gateway_clearing(), wallet, payments * 6_000_00)],
        kind="topup",
        scope="bench",
        key="fund",
    )
    client = Client()
    client.force_login(operator)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return session, _get_new_csrf_string()  # the cookie's secret; sent back as the header


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_load(count: int, concurrency: int, one: Callable[[httpx.Client, int], None]) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(count))
    errors: list[str] = []

    def worker() -> None:
        with httpx.Client(timeout=30) as http:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                start = time.perf_counter()
                try:
                    one(http, i)
                except Exception as exc:  # a benchmark reports, it does not stop
                    errors.append(repr(exc))
                    continue
                with lock:
                    latencies.append(time.perf_counter() - start)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        print(f"  {len(errors)} failed, first: {errors[0]}")
    return latencies


def report(label: str, latencies: list[float], seconds: float, unit: str) -> None:
    print(
        f"{label:<34} {len(latencies) / seconds:9.1f} {unit}/s   "
        f"p50 {percentile(latencies, 0.5) * 1000:7.1f} ms   "
        f"p99 {percentile(latencies, 0.99) * 1000:7.1f} ms   ({len(latencies)} in {seconds:.1f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--payments", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--workers", type=int, default=1, help="`emitra worker` processes")
    args = parser.parse_args()

    env = configure(args.database)
    session, csrf = setup_data(args.payments)
    biller_port, web_port = free_port(), free_port()
    child_env = {
        **os.environ,
        **env,
        "PYTHONPATH": str(ROOT / "src"),
        "BILLER_URL": f"http://127.0.0.1:{biller_port}",
    }
    bin_dir = Path(sys.executable).parent
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "emitra_sim.biller", "--port", str(biller_port), *SIM_ARGS],
            env=child_env,
        ),
        subprocess.Popen(
            [str(bin_dir / "gunicorn"), "emitra.wsgi:application", *gunicorn_args(web_port)],
            env=child_env,
            stderr=subprocess.DEVNULL,
        ),
        *(
            subprocess.Popen(
                [str(bin_dir / "emitra"), "worker", "--interval", "0.05"],
                env=child_env,
                stdout=subprocess.DEVNULL,
            )
            for _ in range(args.workers)
        ),
    ]
    base = f"http://127.0.0.1:{web_port}"
    try:
        wait_for(f"http://127.0.0.1:{biller_port}/healthz", processes[0])
        wait_for(f"{base}/healthz", processes[1])
        headers = {"X-CSRFToken": csrf, "Content-Type": "application/json"}
        from django.conf import settings

        cookies = {settings.SESSION_COOKIE_NAME: session, settings.CSRF_COOKIE_NAME: csrf}

        def healthz(http: httpx.Client, i: int) -> None:
            http.get(f"{base}/healthz").raise_for_status()

        def payment(http: httpx.Client, i: int) -> None:
            consumer = f"21{i:09d}0"  # last digit 0: the simulator confirms at once
            bill = http.post(
                f"{base}/api/v1/bills/fetch",
                json={"biller": "jvvnl", "consumer": consumer},
                headers=headers,
                cookies=cookies,
            )
            bill.raise_for_status()
            paid = http.post(
                f"{base}/api/v1/bills/payments",
                json={
                    "biller": "jvvnl",
                    "consumer": consumer,
                    "amount_paise": bill.json()["amount_paise"],
                },
                headers={**headers, "Idempotency-Key": f"bench-{uuid.uuid4().hex}"},
                cookies=cookies,
            )
            if paid.status_code != 201:
                raise RuntimeError(f"pay answered {paid.status_code}: {paid.text[:200]}")
            number = paid.json()["number"]
            while True:
                state = http.get(f"{base}/api/v1/bills/payments/{number}", cookies=cookies)
                state.raise_for_status()
                if state.json()["state"] != "pending":
                    if state.json()["state"] != "success":
                        raise RuntimeError(f"{number} ended {state.json()['state']}")
                    return
                time.sleep(0.05)

        run_load(20, 4, healthz)  # warm up the server
        print(
            f"database {args.database}; {args.payments} payments, concurrency {args.concurrency};"
            f" gunicorn 1 worker × 8 threads; {args.workers} × emitra worker (inline outbox)"
        )
        start = time.perf_counter()
        base_latencies = run_load(args.payments * 5, args.concurrency, healthz)
        report("GET /healthz (baseline)", base_latencies, time.perf_counter() - start, "req")
        start = time.perf_counter()
        pay_latencies = run_load(args.payments, args.concurrency, payment)
        report(
            "bill payment, fetch → final state", pay_latencies, time.perf_counter() - start, "pay"
        )
        if pay_latencies:
            ratio = statistics.median(pay_latencies) / statistics.median(base_latencies)
            print(f"median payment = {ratio:.0f}× the median /healthz request")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
