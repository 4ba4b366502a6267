"""Catalog search over a generated 1,000-service catalog: p50/p95 in-process latency of the
phonetic/fuzzy index beside a plain ``icontains`` query baseline, in the same run.

    EMITRA_VAR_DIR=/tmp/benchvar .venv/bin/python bench/catalog_search.py [--services 1000]

Uses its own SQLite file under EMITRA_VAR_DIR (created and migrated here); target p95 ≤ 10 ms.
Not part of the test run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emitra.settings.test")
os.environ.setdefault("EMITRA_VAR_DIR", str(ROOT / "var" / "bench"))
os.environ["DATABASE_URL"] = f"sqlite:///{os.environ['EMITRA_VAR_DIR']}/bench_catalog.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db.models import Q  # noqa: E402

from emitra.catalog import catalogfile, search  # noqa: E402
from emitra.catalog.models import Category, Department, Service  # noqa: E402

QUERIES = [
    "jati praman patra",
    "mool niwas",
    "bijli bill",
    "pension",
    "पेंशन",
    "जाति प्रमाण पत्र",
    "castte certficate",
    "ration card",
    "pani ka bill",
    "palanhar",
    "police verification",
    "insurance",
    "domicle",
    "jan aadhar",
    "scholarship",
    "licence",
]
WORDS_EN = [
    "application",
    "registration",
    "certificate",
    "renewal",
    "payment",
    "scheme",
    "correction",
    "duplicate",
    "licence",
    "permission",
    "subsidy",
    "verification",
]
WORDS_HI = [
    "आवेदन",
    "पंजीयन",
    "प्रमाण-पत्र",
    "नवीनीकरण",
    "भुगतान",
    "योजना",
    "संशोधन",
    "द्वितीय प्रति",
    "अनुज्ञापत्र",
    "अनुमति",
    "अनुदान",
    "सत्यापन",
]


def generate(total: int) -> None:
    """The shipped catalog plus generated variants until there are ``total`` services."""
    catalogfile.load_shipped_catalog()
    rng = random.Random(42)
    shipped = list(Service.objects.select_related("department", "category"))
    departments, categories = list(Department.objects.all()), list(Category.objects.all())
    extra = []
    for n in range(total - len(shipped)):
        base = rng.choice(shipped)
        i = rng.randrange(len(WORDS_EN))
        extra.append(
            Service(
                code=f"gen-{n:04d}",
                department=rng.choice(departments),
                category=rng.choice(categories),
                service_type=base.service_type,
                name_en=f"{base.name_en} {WORDS_EN[i]} {n}",
                name_hi=f"{base.name_hi} {WORDS_HI[i]} {n}",
                channels=base.channels,
                keywords=base.keywords[:2],
                status="active",
            )
        )
    Service.objects.bulk_create(extra)


def icontains(query: str) -> list[str]:
    condition = Q()
    for word in query.split():
        condition &= (
            Q(name_en__icontains=word) | Q(name_hi__icontains=word) | Q(keywords__icontains=word)
        )
    return list(
        Service.objects.filter(condition, status="active").values_list("code", flat=True)[:20]
    )


def measure(fn, rounds: int) -> list[float]:
    timings = []
    for _ in range(rounds):
        for query in QUERIES:
            start = time.perf_counter()
            fn(query)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def summary(name: str, timings: list[float]) -> str:
    q = statistics.quantiles(timings, n=100)
    return (
        f"{name:<34} n={len(timings):5d}  p50={q[49]:6.2f} ms  p95={q[94]:6.2f} ms  "
        f"max={max(timings):6.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    database = Path(os.environ["EMITRA_VAR_DIR"]) / "bench_catalog.sqlite3"
    database.unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    generate(args.services)
    count = Service.objects.filter(status="active").count()

    start = time.perf_counter()
    search.invalidate()
    index = search.index()
    built = (time.perf_counter() - start) * 1000
    found = {q: len(index.search(q)) for q in QUERIES}
    measure(index.search, 2)  # warm the caches
    print(
        f"catalog: {count} offered services; index built in {built:.1f} ms "
        f"({len(index.vocabulary)} index words)"
    )
    print(summary("search (index only, in-process)", measure(index.search, args.rounds)))
    print(summary("search() incl. freshness check", measure(search.search, args.rounds)))
    print(summary("baseline: icontains query", measure(icontains, args.rounds)))
    misses = [q for q in QUERIES if not icontains(q)]
    print(
        f"queries with results — index: {sum(1 for n in found.values() if n)}/{len(QUERIES)}, "
        f"icontains: {len(QUERIES) - len(misses)}/{len(QUERIES)} (misses: {', '.join(misses)})"
    )


if __name__ == "__main__":
    main()
