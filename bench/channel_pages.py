"""Citizen-channel pages — the portal (phone, 360×740) and the e-Mitra Plus machine screens
(1366×768) — over a throttled 3G link in headless Chromium, beside the operator's console
pages on the same link as the baseline.

    EMITRA_VAR_DIR=/tmp/benchvar .venv/bin/python bench/channel_pages.py [--runs 3]

Builds on bench/console_pages.py (same database, data, gunicorn and measurement); adds a
citizen's session and a paired machine's device cookie. The link is DevTools' "Slow 3G"-like
profile: 400 ms round trip, 400 kbit/s down and up. Transfer size is what crossed the wire;
load time is the navigation to the load event (median of the runs). Not part of the tests.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import console_pages as base  # sets up Django on the bench database

SLOW_3G: dict[str, Any] = {
    "offline": False,
    "latency": 400,  # ms, added to each round trip
    "downloadThroughput": 400 * 1024 / 8,  # bytes/s
    "uploadThroughput": 400 * 1024 / 8,
}
TARGET_KB = 150
PHONE = (360, 740)
DESKTOP = (1366, 768)


def prepare_channels() -> dict[str, Any]:
    """Sessions for a citizen and the operator, and a machine's device cookie."""
    from django.conf import settings
    from django.test import Client

    from emitra.accounts import services as accounts
    from emitra.accounts.models import User
    from emitra.accounts.roles import Role
    from emitra.kiosks.models import Kiosk, KioskType
    from emitra.machines import access as machine_access
    from emitra.machines import services as machines

    cookies: dict[str, Any] = dict(base.prepare())
    citizen = User.objects.filter(username="bench.citizen").first() or accounts.create_user(
        username="bench.citizen",
        full_name="Bench Citizen",
        role=Role.CITIZEN,
        mobile="9000000009",
        password="bench-pass-2024",  # noqa: S106 - a throw-away local database
    )
    client = Client()
    client.force_login(citizen)
    cookies["citizen"] = client.cookies[settings.SESSION_COOKIE_NAME].value
    kiosk = Kiosk.objects.get(code="BENCH-0001")
    Kiosk.objects.filter(pk=kiosk.pk).update(kiosk_type=KioskType.PLUS)  # the bench's machine
    kiosk.refresh_from_db()
    _machine, token = machines.register_machine(actor=None, kiosk=kiosk)
    cookies["machine"] = {machine_access.COOKIE: token}
    return cookies


PORTAL_PAGES: list[base.Page] = [
    ("portal: home", "/my/", "citizen"),
    ("portal: pay a bill", "/my/bills/", "citizen"),
    ("portal: apply for a service", "/my/apply/", "citizen"),
    ("portal: application form", "/my/apply/domicile-certificate/", "citizen"),
    ("portal: track application", "/applications/track/", "citizen"),
]
MACHINE_PAGES: list[base.Page] = [
    ("machine: attract screen", "/machine/", "machine"),
    ("machine: choose a biller", "/machine/bills/", "machine"),
    ("machine: consumer number", "/machine/bills/jvvnl/", "machine"),
]
BASELINE_PAGES: list[base.Page] = [
    ("baseline: console", "/console/", "operator"),
    ("baseline: wallet", "/wallet/", "operator"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("preparing the database, static files and data …", flush=True)
    cookies = prepare_channels()
    port = base.free_port()
    server = base.serve(port)
    url = f"http://127.0.0.1:{port}"
    try:
        rows = [
            *base.measure(
                url, cookies, args.runs, pages=PORTAL_PAGES, viewport=PHONE, network=SLOW_3G
            ),
            *base.measure(
                url, cookies, args.runs, pages=MACHINE_PAGES, viewport=DESKTOP, network=SLOW_3G
            ),
            *base.measure(
                url, cookies, args.runs, pages=BASELINE_PAGES, viewport=DESKTOP, network=SLOW_3G
            ),
        ]
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"Chromium (headless, cold cache) over slow 3G (400 ms RTT, 400 kbit/s), gunicorn on "
        f"loopback, median of {args.runs} loads; portal at 360×740, machine and console at "
        f"1366×768; target ≤ {TARGET_KB} KB per page"
    )
    print(f"{'page':<30} {'status':>6} {'requests':>8} {'transfer':>10} {'load':>9}  target")
    for label, _path, r in rows:
        ok = "ok" if r["transfer"] <= TARGET_KB * 1024 else "OVER"
        if label.startswith("baseline"):
            ok = "(baseline)"
        print(
            f"{label:<30} {r['status']:>6} {r['requests']:>8} {r['transfer'] / 1024:>7.1f} KB "
            f"{r['load_ms']:>6.0f} ms  {ok}"
        )


if __name__ == "__main__":
    main()
