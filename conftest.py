"""Shared fixtures: users per role, logged-in clients, the SMS and payment gateway simulator
processes, and the rule
that a test needing PostgreSQL, Redis or Chromium fails instead of skipping when the run says
those must be present (EMITRA_REQUIRE=postgres,redis,chromium — set by .ci/run)."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent
REQUIRED = {part.strip() for part in os.environ.get("EMITRA_REQUIRE", "").split(",") if part}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API + live_server


def _missing(what: str, reason: str) -> None:
    if what in REQUIRED:
        pytest.fail(f"{reason} (EMITRA_REQUIRE includes {what})", pytrace=False)
    pytest.skip(reason)


def redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def _required_parts(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("postgres", "needs PostgreSQL: run with DATABASE_URL=postgres://…")
    if request.node.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        _missing("chromium", f"needs Debian's chromium at {CHROMIUM}")
    if request.node.get_closest_marker("redis") and not _redis_answers():
        _missing("redis", "needs Redis on 127.0.0.1:6379")


# --- certificate signing ---------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def certificate_signing_keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A throwaway CA, signing certificate and QR key for the whole run (never var/signing)."""
    from django.test.utils import override_settings

    from emitra.certificates import signing

    where = tmp_path_factory.mktemp("signing")
    names = {
        "CERT_SIGNING_KEY": where / "signer-key.pem",
        "CERT_SIGNING_CERT": where / "signer-cert.pem",
        "CERT_CA_CERT": where / "ca-cert.pem",
        "CERT_QR_KEY": where / "qr-ed25519.pem",
    }
    override = override_settings(
        **{name: str(path) for name, path in names.items()}, CERT_SIGNING_KEY_PASSPHRASE=""
    )
    override.enable()
    paths = signing.configured_paths()
    signing.create_development_keys(paths)
    yield paths
    override.disable()


# --- no full Aadhaar number leaves the system (issue 9) ------------------------------------
#
# Every Aadhaar number the suite hands to the vault is remembered; every response a test
# client receives and every log record is scanned for any of them (bare or grouped 4-4-4).
# A leak fails the test that caused it, wherever in the suite it happens.

AADHAAR_SEEN: set[str] = set()
AADHAAR_LEAKS: list[str] = []


def _aadhaar_forms(number: str) -> tuple[str, ...]:
    return (
        number,
        f"{number[:4]} {number[4:8]} {number[8:]}",
        f"{number[:4]}-{number[4:8]}-{number[8:]}",
    )


def _scan_for_aadhaar(text: str, where: str) -> None:
    for number in AADHAAR_SEEN:
        if any(form in text for form in _aadhaar_forms(number)):
            AADHAAR_LEAKS.append(f"{where}: …{number[-4:]}")


class _AadhaarLogScanner(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage() + " " + " ".join(str(v) for v in vars(record).values())
        except Exception:  # a record that cannot render is not ours to judge
            return
        _scan_for_aadhaar(text, f"log {record.name}")


@pytest.fixture(scope="session", autouse=True)
def _aadhaar_leak_watch() -> Iterator[None]:
    from django.test.client import Client

    from emitra.registry import vault  # services call vault.clean_aadhaar through the module

    clean = vault.clean_aadhaar

    def remembering_clean(raw: str) -> str:
        number = clean(raw)
        AADHAAR_SEEN.add(number)
        return number

    request = Client.request

    def scanned_request(self: Any, **kwargs: Any) -> Any:
        response = request(self, **kwargs)
        if AADHAAR_SEEN and not getattr(response, "streaming", False):
            body = response.content.decode("utf-8", "replace")
            _scan_for_aadhaar(body, f"response {kwargs.get('PATH_INFO', '')}")
        return response

    handler = _AadhaarLogScanner(level=logging.DEBUG)
    vault.clean_aadhaar = remembering_clean
    Client.request = scanned_request  # type: ignore[method-assign]
    logging.getLogger().addHandler(handler)
    yield
    logging.getLogger().removeHandler(handler)
    Client.request = request  # type: ignore[method-assign]
    vault.clean_aadhaar = clean


@pytest.fixture(autouse=True)
def _no_aadhaar_leak() -> Iterator[None]:
    before = len(AADHAAR_LEAKS)
    yield
    leaks = AADHAAR_LEAKS[before:]
    assert not leaks, f"a full Aadhaar number left the system: {leaks}"


# --- people ------------------------------------------------------------------------------------


@pytest.fixture
def make_user(db: None) -> Callable[..., Any]:
    from emitra.accounts import services
    from emitra.accounts.roles import Role
    from emitra.geo.models import District

    counter = iter(range(1, 10_000))

    def make(role: str = Role.OPERATOR, *, password: str = "correct-horse-42", **extra: Any) -> Any:
        n = next(counter)
        if role == Role.DISTRICT_ADMIN and "district" not in extra:
            extra["district"], _ = District.objects.get_or_create(
                slug="jaipur", defaults={"name_en": "Jaipur", "name_hi": "जयपुर"}
            )
        extra.setdefault("mobile", f"98{n:08d}")
        extra.setdefault("username", f"{role.replace('_', '-')}.{n}")
        return services.create_user(
            full_name=extra.pop("full_name", f"Test {role} {n}"),
            role=Role(role),
            password=password,
            **extra,
        )

    return make


def give_kiosk(operator: Any, *, status: str = "active", category: str = "A") -> Any:
    """Onboard a kiosk for `operator` (in their district, Jaipur by default) up to `status`:
    money is taken only at an active kiosk, so tests that pay or apply need one."""
    from emitra.kiosks.tests import factories

    where = operator.district or factories.district("jaipur")
    provider = factories.lsp(where)
    return factories.kiosk(provider, status=status, operator=operator, category=category)


def verify_totp(client: Any, user: Any) -> None:
    """Mark a logged-in test client's session as having passed TOTP."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=user, defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def client_as(client: Any, make_user: Callable[..., Any]) -> Callable[..., Any]:
    """`client_as(role, **user_fields)` → a client logged in (and TOTP-verified for staff)."""

    def login(role: str, **extra: Any) -> Any:
        user = extra.pop("user", None) or make_user(role, **extra)
        client.force_login(user)
        if user.needs_totp:
            verify_totp(client, user)
        client.user = user
        return client

    return login


# --- partner simulators ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_simulator(module: str, *args: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--port", str(port), *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(
        f"{module} did not start: {process.stderr.read() if process.stderr else ''!r}"
    )


@pytest.fixture(scope="session")
def sms_gateway_process() -> Iterator[str]:
    process, url = start_simulator("emitra_sim.sms", "--api-key", "test-sms-key")
    yield url
    process.terminate()
    process.wait(timeout=5)


class SmsInbox:
    def __init__(self, url: str) -> None:
        self.url = url

    def messages(self, to: str) -> list[dict[str, Any]]:
        return list(httpx.get(f"{self.url}/api/v1/messages", params={"to": to}).json()["messages"])

    def fail_next(self, count: int) -> None:
        httpx.post(
            f"{self.url}/api/v1/faults",
            json={"fail_next": count},
            headers={"X-Api-Key": "test-sms-key"},
        )


@pytest.fixture
def sms_gateway(sms_gateway_process: str, settings: Any) -> Iterator[SmsInbox]:
    """The SMS simulator (its own process) wired into settings for this test."""
    settings.SMS_GATEWAY_URL = sms_gateway_process
    settings.SMS_GATEWAY_KEY = "test-sms-key"
    inbox = SmsInbox(sms_gateway_process)
    inbox.fail_next(0)
    yield inbox


PG_KEY = "test-pg-key"
PG_SECRET = "test-pg-secret"


@pytest.fixture(scope="session")
def payment_gateway_process() -> Iterator[str]:
    process, url = start_simulator(
        "emitra_sim.payment_gateway", "--api-key", PG_KEY, "--merchant-secret", PG_SECRET
    )
    yield url
    process.terminate()
    process.wait(timeout=5)


class PaymentGatewaySim:
    """Drive the payment gateway simulator as the gateway's customer (the browser) and as its
    operator (fault injection), over HTTP."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.headers = {"X-Api-Key": PG_KEY}

    def reset(self) -> None:
        httpx.post(f"{self.url}/api/v1/reset", headers=self.headers).raise_for_status()

    def order(self, order_id: str) -> dict[str, Any]:
        response = httpx.get(f"{self.url}/api/v1/orders/{order_id}", headers=self.headers)
        response.raise_for_status()
        return dict(response.json())

    def page(self, order_id: str) -> httpx.Response:
        """The hosted payment page, as a browser gets it."""
        return httpx.get(f"{self.url}/pay/{order_id}")

    def submit(self, order_id: str, action: str, **faults: str) -> httpx.Response:
        """Press "Pay" or "Fail" on the hosted page (with the page's fault checkboxes)."""
        return httpx.post(
            f"{self.url}/pay/{order_id}", data={"action": action, **faults}, timeout=30
        )

    def pay(self, order_id: str, **faults: str) -> httpx.Response:
        return self.submit(order_id, "pay", **faults)

    def fail(self, order_id: str, **faults: str) -> httpx.Response:
        return self.submit(order_id, "fail", **faults)

    def faults(self, **changes: Any) -> dict[str, Any]:
        """Inject faults: fail_create=N, fail_status=N, or order_id=… with drop_callback,
        duplicate_callback, contradict_callback, delay_seconds, expire."""
        response = httpx.post(f"{self.url}/api/v1/faults", json=changes, headers=self.headers)
        response.raise_for_status()
        return dict(response.json())

    def deliveries(self, order_id: str) -> list[dict[str, Any]]:
        response = httpx.get(
            f"{self.url}/api/v1/orders/{order_id}/deliveries", headers=self.headers
        )
        response.raise_for_status()
        return list(response.json()["deliveries"])

    def redeliver(self, order_id: str) -> dict[str, Any]:
        response = httpx.post(
            f"{self.url}/api/v1/orders/{order_id}/redeliver", headers=self.headers, timeout=30
        )
        response.raise_for_status()
        return dict(response.json())

    def settlement(self, day: str) -> httpx.Response:
        return httpx.get(f"{self.url}/api/v1/settlements/{day}.csv", headers=self.headers)


@pytest.fixture
def payment_gateway(payment_gateway_process: str, settings: Any) -> Iterator[PaymentGatewaySim]:
    """The payment gateway simulator (its own process) wired into settings for this test.

    It is reset before and after each test: top-up numbers restart with each test's database,
    and a delayed callback must not land in the next test."""
    settings.PAYMENT_GATEWAY_URL = payment_gateway_process
    settings.PAYMENT_GATEWAY_KEY = PG_KEY
    settings.PAYMENT_GATEWAY_SECRET = PG_SECRET
    sim = PaymentGatewaySim(payment_gateway_process)
    sim.reset()
    yield sim
    sim.reset()


BILLER_KEY = "test-biller-key"


@pytest.fixture(scope="session")
def biller_process() -> Iterator[str]:
    # A "timeout" consumer hangs 1.5 s; the tests' client waits 0.5 s (see the fixture below).
    process, url = start_simulator(
        "emitra_sim.biller", "--api-key", BILLER_KEY, "--hang-seconds", "1.5"
    )
    yield url
    process.terminate()
    process.wait(timeout=5)


class BillerSim:
    """Look into the biller simulator (its own process) over HTTP."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.headers = {"X-Api-Key": BILLER_KEY}

    def reset(self) -> None:
        httpx.post(f"{self.url}/api/v1/reset", headers=self.headers).raise_for_status()

    def payments(self, consumer: str = "") -> list[dict[str, Any]]:
        response = httpx.get(
            f"{self.url}/api/v1/payments", params={"consumer": consumer}, headers=self.headers
        )
        response.raise_for_status()
        return list(response.json()["payments"])


@pytest.fixture
def biller(biller_process: str, settings: Any) -> Iterator[BillerSim]:
    """The biller simulator wired into settings for this test: short client timeout, polls
    without delay (the tests run the outbox themselves), reset before and after."""
    settings.BILLER_URL = biller_process
    settings.BILLER_KEY = BILLER_KEY
    settings.BILLER_TIMEOUT_SECONDS = 0.5
    settings.BILLPAY_POLL_SECONDS = 0
    sim = BillerSim(biller_process)
    sim.reset()
    yield sim
    sim.reset()
