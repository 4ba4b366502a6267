"""Ledger postings per second on PostgreSQL, beside pgbench TPC-B on the same server.

    .venv/bin/python bench/ledger_postings.py [--seconds 15] [--workers 2 8] [--rounds 3]

Creates two throw-away databases (emitra_bench, emitra_pgbench), migrates the first, opens
wallets and hot accounts, then for each worker count runs in the same minute:
  * pgbench TPC-B (tpcb-like, scale 10) — the baseline;
  * bill-payment-shaped postings through `ledger.services` (hold, then post with four legs:
    wallet → biller, revenue head → kiosk, → LSP, → state), the same functions the API uses;
  * the batched path (`transfer_batch`, 100 four-leg transfers per database transaction).
Prints payments/s, database transactions/s and their ratio to TPC-B transactions/s.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
BENCH_DB, PGBENCH_DB = "emitra_bench", "emitra_pgbench"
WALLETS_PER_WORKER = 20
MONTH = 80_00_000  # 80 lakh payments: a month of e-Mitra in Rajasthan


def psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-qc", sql], check=True, capture_output=True)


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"{PG}/{BENCH_DB}"
    os.environ.setdefault("EMITRA_DEV", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "emitra.settings.production"
    import django

    django.setup()


def prepare(max_workers: int) -> None:
    for db in (BENCH_DB, PGBENCH_DB):
        psql(f"DROP DATABASE IF EXISTS {db}")
        psql(f"CREATE DATABASE {db}")
    setup_django()
    from django.core.management import call_command

    from emitra.ledger import services
    from emitra.ledger.models import AccountKind

    call_command("migrate", verbosity=0)
    gateway = services.open_account(code="gw", kind=AccountKind.GATEWAY_CLEARING, name="gateway")
    for code, kind in (
        ("biller", AccountKind.BILLER_CLEARING),
        ("revenue", AccountKind.REVENUE_HEAD),
        ("lsp", AccountKind.LSP),
        ("state", AccountKind.STATE_COMMISSION),
    ):
        services.open_account(code=code, kind=kind, name=code)  # hot: no floor, never locked
    requests = []
    for w in range(max_workers * WALLETS_PER_WORKER):
        wallet = services.open_account(
            code=f"w{w}", kind=AccountKind.KIOSK_WALLET, name="w", floor=0
        )
        requests.append(
            services.TransferRequest(
                [services.Leg(gateway, wallet, 10**13)], "topup", "bench", f"fund{w}"
            )
        )
    services.transfer_batch(transfers=requests)
    from django.db import connection

    connection.close()
    subprocess.run(
        ["pgbench", "-i", "-q", "-s", "10", f"{PG}/{PGBENCH_DB}"], check=True, capture_output=True
    )


def pgbench(workers: int, seconds: int) -> float:
    out = subprocess.run(
        [
            "pgbench",
            "-n",
            "-b",
            "tpcb-like",
            "-c",
            str(workers),
            "-j",
            str(workers),
            "-T",
            str(seconds),
            f"{PG}/{PGBENCH_DB}",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"tps = ([\d.]+)", out)
    assert match, out
    return float(match[1])


def _worker(index: int, workers: int, seconds: float, batched: bool, results: mp.Queue) -> None:
    setup_django()
    from emitra.ledger import services
    from emitra.ledger.models import Account

    accounts = {a.code: a for a in Account.objects.all()}
    wallets = [accounts[f"w{w}"] for w in range(index, workers * WALLETS_PER_WORKER, workers)]
    biller, revenue, lsp, state = (accounts[c] for c in ("biller", "revenue", "lsp", "state"))
    Leg = services.Leg
    count, n = 0, 0
    started = time.monotonic()
    deadline = started + seconds
    while time.monotonic() < deadline:
        if batched:
            batch = []
            for _ in range(100):
                n += 1
                wallet = wallets[n % len(wallets)]
                batch.append(
                    services.TransferRequest(
                        [
                            Leg(wallet, biller, 1_234_50),
                            Leg(revenue, wallet, 7_70),
                            Leg(revenue, lsp, 1_30),
                            Leg(revenue, state, 1_00),
                        ],
                        "bill_payment",
                        f"b{os.getpid()}",
                        f"{n}",
                    )
                )
            services.transfer_batch(transfers=batch)
            count += len(batch)
        else:
            n += 1
            wallet = wallets[n % len(wallets)]
            held = services.hold(
                account=wallet,
                amount=1_234_50,
                scope=f"p{os.getpid()}",
                key=f"h{n}",
                expires_in=timedelta(minutes=15),
            )
            services.post_hold(
                hold=held,
                legs=[
                    Leg(wallet, biller, 1_234_50),
                    Leg(revenue, wallet, 7_70),
                    Leg(revenue, lsp, 1_30),
                    Leg(revenue, state, 1_00),
                ],
                scope=f"p{os.getpid()}",
                key=f"p{n}",
            )
            count += 1
    results.put(count / (time.monotonic() - started))


def run_ours(workers: int, seconds: float, batched: bool) -> float:
    ctx = mp.get_context("spawn")
    results: mp.Queue = ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(i, workers, seconds, batched, results))
        for i in range(workers)
    ]
    for p in procs:
        p.start()
    rate = sum(results.get(timeout=seconds + 120) for _ in procs)  # each measures its own loop
    for p in procs:
        p.join()
    return float(rate)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 8])
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="TPC-B and ours alternate this many times; the median ratio is reported "
        "(a busy machine moves both, a single pair can mislead)",
    )
    args = parser.parse_args()
    print(f"preparing {BENCH_DB} and {PGBENCH_DB} …", flush=True)
    prepare(max(args.workers))
    server = subprocess.run(
        ["psql", f"{PG}/postgres", "-tAc", "SHOW server_version"], capture_output=True, text=True
    ).stdout.strip()
    fsync = subprocess.run(
        ["psql", f"{PG}/postgres", "-tAc", "SHOW fsync"], capture_output=True, text=True
    ).stdout.strip()
    print(f"PostgreSQL {server}, fsync={fsync}, {os.cpu_count()} CPUs, {args.seconds} s per run")
    print(
        f"{'workers':>7} {'TPC-B tps':>10} {'payments/s':>11} {'db txn/s':>9} {'× TPC-B':>8}"
        f" {'batched/s':>10} {'× TPC-B':>8}"
    )
    best: list[tuple[float, float]] = []  # (payments/s, batched/s): median per worker count
    for workers in args.workers:
        rows = []
        for _round in range(args.rounds):
            # Each run starts from a checkpoint: the WAL a run writes (the batched one writes
            # most) would otherwise force a checkpoint into whichever run comes next.
            psql("CHECKPOINT")
            tps = pgbench(workers, args.seconds)
            psql("CHECKPOINT")
            single = run_ours(workers, args.seconds, batched=False)
            psql("CHECKPOINT")
            batched = run_ours(workers, args.seconds, batched=True)
            rows.append((tps, single, batched))
            print(
                f"{workers:>7} {tps:>10.0f} {single:>11.0f} {2 * single:>9.0f}"
                f" {2 * single / tps:>8.2f} {batched:>10.0f} {batched / tps:>8.2f}",
                flush=True,
            )
        best.append((statistics.median(r[1] for r in rows), statistics.median(r[2] for r in rows)))
        single_ratio = statistics.median(2 * single / tps for tps, single, _b in rows)
        batched_ratio = statistics.median(batched / tps for tps, _s, batched in rows)
        print(
            f"{workers:>7} median of {len(rows)}: single {single_ratio:.2f}× TPC-B (target 0.75),"
            f" batched {batched_ratio:.2f}× TPC-B (target 5)",
            flush=True,
        )
    print(
        "payments/s: hold + post (2 database transactions each); db txn/s = 2 × payments/s;"
        " batched/s: four-leg transfers per second, 100 per database transaction."
    )
    if best:
        single, batched = max(b[0] for b in best), max(b[1] for b in best)
        print(
            f"A month of Rajasthan's volume ({MONTH:,} payments) at the best median above:"
            f" batched {MONTH / batched / 60:.1f} min (aim: under 10),"
            f" online {MONTH / single / 60:.0f} min (aim: under 60)."
        )


if __name__ == "__main__":
    main()
