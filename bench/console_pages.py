"""Transfer size and load time of the operator's console pages in headless Chromium, beside
the Django admin's index page as a baseline; target ≤ 150 KB per page.

    EMITRA_VAR_DIR=/tmp/benchvar .venv/bin/python bench/console_pages.py [--runs 5]

Sets up its own SQLite database under EMITRA_VAR_DIR (migrated, the shipped catalog loaded,
an active kiosk whose wallet has 60 entries today, a TOTP-verified state admin), collects
static files, serves the app with gunicorn on a free loopback port as in production
(whitenoise, compressed static files) and loads each page `--runs` times in a fresh browser
context (cold cache) with Debian's Chromium. Transfer size is what crossed the wire (HTML,
CSS, JS, after compression) from the Resource Timing API; load time is the navigation's
duration to the load event (median of the runs). Not part of the test run.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("EMITRA_VAR_DIR", str(ROOT / "var" / "bench"))
os.environ["DATABASE_URL"] = f"sqlite:///{os.environ['EMITRA_VAR_DIR']}/bench_console.sqlite3"
os.environ["DJANGO_SETTINGS_MODULE"] = "emitra.settings.production"
os.environ.setdefault("EMITRA_DEV", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
TARGET_KB = 150
PAGES = [
    ("console", "/console/", "operator"),
    ("console + search", "/console/?q=jati+praman+patra", "operator"),
    ("wallet (top-up)", "/wallet/", "operator"),
    ("wallet statement", "/wallet/statement/", "operator"),
    ("commission statement", "/wallet/commission/", "operator"),
    ("baseline: Django admin index", "/admin/", "admin"),
]

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402


def prepare() -> dict[str, str]:
    """Migrate, load data, and return a session cookie value per kind of user."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from emitra.accounts import services as accounts
    from emitra.accounts.models import User
    from emitra.accounts.roles import Role
    from emitra.catalog.demo import ensure_demo_catalog
    from emitra.geo.models import District, GramPanchayat
    from emitra.kiosks import services as kiosks
    from emitra.kiosks.models import Kiosk
    from emitra.ledger import chart
    from emitra.ledger import services as ledger
    from emitra.ledger.selectors import wallet_of

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    ensure_demo_catalog()
    jaipur, _ = District.objects.get_or_create(
        slug="jaipur", defaults={"name_en": "Jaipur", "name_hi": "जयपुर", "status": "pre_2023"}
    )
    gp, _ = GramPanchayat.objects.get_or_create(
        lgd_code=1,
        defaults={
            "name_en": "Bassi",
            "panchayat_samiti_code": 1,
            "panchayat_samiti_name": "Bassi",
            "district": jaipur,
        },
    )

    def person(username: str, role: Role, mobile: str) -> Any:
        found = User.objects.filter(username=username).first()
        return found or accounts.create_user(
            username=username,
            full_name=username,
            role=role,
            mobile=mobile,
            password="bench-pass-2024",  # noqa: S106 - a throw-away local database
            district=jaipur,
        )

    operator = person("bench.operator", Role.OPERATOR, "9000000001")
    lsp_user = person("bench.lsp", Role.LSP, "9000000002")
    society = person("bench.society", Role.DISTRICT_ADMIN, "9000000003")
    admin = person("bench.admin", Role.STATE_ADMIN, "9000000004")
    if not Kiosk.objects.filter(operator=operator).exists():
        lsp = kiosks.register_lsp(
            actor=None, user=lsp_user, name="Bench LSP", district=jaipur, existing_ok=True
        )
        kiosk = kiosks.apply_kiosk(
            actor=lsp.user,
            code="BENCH-0001",
            name="Bench kiosk",
            kiosk_type="assisted",
            category="B",
            operator=operator,
            gram_panchayat=gp,
        )
        kiosk = kiosks.recommend_kiosk(actor=lsp_user, kiosk=kiosk)
        for act in (kiosks.approve_kiosk, kiosks.mark_trained, kiosks.activate_kiosk):
            kiosk = act(actor=society, kiosk=kiosk)
    wallet = wallet_of(operator.pk)
    assert wallet is not None
    stamp = time.strftime("%Y%m%d%H%M%S")
    for n in range(60):  # today's lines (the console shows the latest 50)
        ledger.transfer(
            legs=[ledger.Leg(debit=chart.gateway_clearing(), credit=wallet, amount=100_00 + n)],
            kind="topup",
            scope="bench",
            key=f"{stamp}-{n}",
            memo=f"Bench top-up {n}",
        )

    def session(user: Any, *, totp: bool) -> str:
        client = Client()
        client.force_login(user)
        if totp:
            device, _ = TOTPDevice.objects.get_or_create(user=user, defaults={"confirmed": True})
            s = client.session
            s[DEVICE_ID_SESSION_KEY] = device.persistent_id
            s.save()
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    return {"operator": session(operator, totp=False), "admin": session(admin, totp=True)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "emitra.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import httpx

    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("gunicorn did not start")


MEASURE = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  return {
    transfer: nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
    decoded: nav.decodedBodySize + resources.reduce((sum, r) => sum + r.decodedBodySize, 0),
    requests: 1 + resources.length,
    load_ms: nav.loadEventEnd - nav.startTime,
    status: nav.responseStatus,
  };
}"""


Page = tuple[str, str, str]  # label, path, whose cookies


def measure(
    base: str,
    cookies: dict[str, str] | dict[str, dict[str, str]],
    runs: int,
    *,
    pages: list[Page] | None = None,
    viewport: tuple[int, int] = (1366, 768),
    network: dict[str, Any] | None = None,
) -> list[tuple[str, str, dict[str, Any]]]:
    """Load each page `runs` times in a fresh context. `cookies[who]` is a session cookie
    value, or a {name: value} map of cookies; `network` is a CDP
    Network.emulateNetworkConditions profile (e.g. a throttled 3G link)."""
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        for label, path, who in pages or PAGES:
            samples = []
            for _ in range(runs):
                width, height = viewport
                context = browser.new_context(viewport={"width": width, "height": height})
                jar = cookies[who]
                named = jar if isinstance(jar, dict) else {settings.SESSION_COOKIE_NAME: jar}
                context.add_cookies(
                    [{"name": name, "value": value, "url": base} for name, value in named.items()]
                )
                page = context.new_page()
                if network is not None:
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.enable")
                    cdp.send("Network.emulateNetworkConditions", network)
                page.goto(base + path, wait_until="load", timeout=120_000)
                samples.append(page.evaluate(MEASURE))
                context.close()
            results.append(
                (
                    label,
                    path,
                    {
                        "transfer": statistics.median(s["transfer"] for s in samples),
                        "decoded": statistics.median(s["decoded"] for s in samples),
                        "requests": samples[-1]["requests"],
                        "status": samples[-1]["status"],
                        "load_ms": statistics.median(s["load_ms"] for s in samples),
                    },
                )
            )
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print("preparing the database, static files and data …", flush=True)
    cookies = prepare()
    port = free_port()
    server = serve(port)
    try:
        results = measure(f"http://127.0.0.1:{port}", cookies, args.runs)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"Chromium (headless, 1366×768, cold cache), gunicorn on loopback, median of "
        f"{args.runs} loads; target ≤ {TARGET_KB} KB transferred per page"
    )
    print(
        f"{'page':<30} {'status':>6} {'requests':>8} {'transfer':>10} {'decoded':>10} "
        f"{'load':>9}  target"
    )
    for label, _path, r in results:
        ok = "ok" if r["transfer"] <= TARGET_KB * 1024 else "OVER"
        if label.startswith("baseline"):
            ok = "(baseline)"
        print(
            f"{label:<30} {r['status']:>6} {r['requests']:>8} {r['transfer'] / 1024:>7.1f} KB "
            f"{r['decoded'] / 1024:>7.1f} KB {r['load_ms']:>6.0f} ms  {ok}"
        )


if __name__ == "__main__":
    main()
