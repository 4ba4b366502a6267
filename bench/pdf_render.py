"""Wallet-statement PDF rendering with Typst: warm p50/p95 beside, in the same run, the cold
first render (fonts loaded, templates parsed) and CSV generation of the same statement.

    EMITRA_VAR_DIR=/tmp/benchvar .venv/bin/python bench/pdf_render.py [--entries 60] [--rounds 200]

Uses its own SQLite file under EMITRA_VAR_DIR (created and migrated here). Each warm render
gets a different generated-at time, so Typst cannot answer from its cache of the last document.
Prints figures only; not part of the test run.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emitra.settings.test")
os.environ.setdefault("EMITRA_VAR_DIR", str(ROOT / "var" / "bench"))
os.environ["DATABASE_URL"] = f"sqlite:///{os.environ['EMITRA_VAR_DIR']}/bench_pdf.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from emitra.core.exports import csv_response  # noqa: E402
from emitra.core.timeutil import IST  # noqa: E402
from emitra.ledger import services, statements  # noqa: E402
from emitra.ledger.models import Account, AccountKind  # noqa: E402

PERIOD = statements.Period(date(2026, 11, 1), date(2026, 11, 30))


def post_entries(count: int) -> Account:
    """A wallet with `count` entries in November 2026: top-ups and bill payments."""
    gateway = services.open_account(code="bench:gw", kind=AccountKind.GATEWAY_CLEARING, name="GW")
    biller = services.open_account(code="bench:bl", kind=AccountKind.BILLER_CLEARING, name="BL")
    wallet = services.open_operator_wallet(user_id=1, name="राधा कृष्ण शर्मा")
    for n in range(count):
        # spread over November, 09:00 IST on the 1st to before midnight on the 30th
        moment = datetime(2026, 11, 1, 9, 0, tzinfo=IST) + timedelta(
            minutes=(29 * 24 + 14) * 60 * n // count
        )
        top_up = n % 4 == 0
        with mock.patch.object(timezone, "now", return_value=moment):
            services.transfer(
                legs=[
                    services.Leg(gateway, wallet, 5_000_00)
                    if top_up
                    else services.Leg(wallet, biller, 1_234_50 + n)
                ],
                kind="topup" if top_up else "bill_payment",
                scope="bench",
                key=f"bench-{n}",
                memo="" if top_up else f"बिजली बिल K-{100000 + n}",
            )
    return wallet


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def summary(name: str, timings: list[float]) -> str:
    q = statistics.quantiles(timings, n=100)
    return f"{name:<40} n={len(timings):4d}  p50={q[49]:7.2f} ms  p95={q[94]:7.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    database = Path(os.environ["EMITRA_VAR_DIR"]) / "bench_pdf.sqlite3"
    database.unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    wallet = post_entries(args.entries)
    translation.activate("hi")
    statement = statements.build_statement(wallet, holder=wallet.name, period=PERIOD)

    def varied(n: int) -> statements.Statement:
        moment = datetime(2026, 11, 30, 18, 0, tzinfo=IST) + timedelta(seconds=n)
        return statements.Statement(
            statement.account_code,
            statement.holder,
            statement.period,
            statement.opening,
            statement.rows,
            moment,
        )

    cold = timed(lambda: statements.render_pdf(varied(0)))
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", statements.render_pdf(varied(1))))
    warm = [timed(lambda n=n: statements.render_pdf(varied(n))) for n in range(2, args.rounds)]

    def as_csv() -> None:
        header, rows = statements.csv_table(statement)
        csv_response("bench.csv", header, rows)

    csv = [timed(as_csv) for _ in range(args.rounds)]
    query = [
        timed(lambda: statements.build_statement(wallet, holder="", period=PERIOD))
        for _ in range(args.rounds)
    ]

    print(f"statement: {len(statement.rows)} entries, PDF of {pages} page(s)")
    print(f"{'PDF cold: first render in this process':<40} {cold:7.2f} ms")
    print(summary("PDF warm render (Typst)", warm))
    print(summary("baseline: CSV of the same statement", csv))
    print(summary("for scale: statement query (SQLite)", query))
    for line in certificate_timings(args.rounds):
        print(line)


def certificate_timings(rounds: int) -> list[str]:
    """A domicile certificate: Typst render, PAdES signing (pyHanko, ECDSA P-256) and
    validation of the signature, with a throwaway CA in a temporary folder."""
    import tempfile

    from emitra.certificates import documents, signing
    from emitra.certificates.kinds import Label

    folder = Path(tempfile.mkdtemp(prefix="bench-signing-"))
    paths = signing.SigningPaths(
        key=folder / "key.pem",
        cert=folder / "cert.pem",
        ca_cert=folder / "ca.pem",
        qr_key=folder / "qr.pem",
        passphrase=None,
    )
    signing.create_development_keys(paths)

    def drawn(n: int) -> bytes:
        moment = datetime(2026, 11, 30, 18, 0, tzinfo=IST) + timedelta(seconds=n)
        content = documents.Content(
            number=f"DOM-2026-27-{n:09d}",
            kind="domicile",
            application_number=f"APP-2026-27-{n:09d}",
            holder_name_en="Priyanka Kshatriya",
            holder_name_hi="श्रीमती प्रियंका क्षत्रिय",
            fields={"father_name": "राजेश क्षत्रिय", "address": "वार्ड 5, सांगानेर, जयपुर"},
            issued_on="2026-11-30",
            district="jaipur",
        )
        data = documents.pdf_data(
            content=content,
            qr_payload="x" * 300,
            department=Label("राजस्व विभाग", "Revenue Department"),
            district=Label("जयपुर", "Jaipur"),
            issuer="Ramesh Meena",
            issued_at=moment,
        )
        return documents.render(data, kind="domicile", created=moment)

    pdfs = [drawn(0)]
    render = [timed(lambda n=n: pdfs.append(drawn(n))) for n in range(1, rounds)]
    signed: list[bytes] = []
    sign = [
        timed(lambda p=p: signed.append(signing.sign_pdf(p, reason="b", location="b", paths=paths)))
        for p in pdfs[1:]
    ]
    check = [timed(lambda p=p: signing.check_pdf_signature(p, paths=paths)) for p in signed[:50]]
    return [
        summary("certificate: render (Typst)", render),
        summary("certificate: PAdES sign (pyHanko)", sign),
        summary("certificate: validate signature", check),
    ]


if __name__ == "__main__":
    main()
