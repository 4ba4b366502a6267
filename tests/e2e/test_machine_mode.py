"""Journeys at an e-Mitra Plus machine (full screen, Hindi first, no login — the machine's
device token): a citizen pays an electricity bill in simulated cash and the receipt is
printed (an ESC/POS job in the spool); another pays by card after a first card is declined; a
third pays with a refund voucher typed on the keypad; a citizen who walks away leaves nothing
behind — not on the screen, not in the browser's storage, not in the server session."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from conftest import give_kiosk
from emitra.accounts.roles import Role
from emitra.billpay.billers import ensure_billers
from emitra.billpay.models import Biller, BillPayment, PaymentState
from emitra.catalog import catalogfile, search
from emitra.core import outbox
from emitra.kiosks.models import Kiosk, KioskType
from emitra.machines import services
from emitra.machines.access import COOKIE
from emitra.machines.devices import devices_for
from emitra.machines.escpos import decode
from emitra.machines.models import CashPayment, CashState, VoucherPurpose

CONSUMER = "210512345670"  # the biller simulator pays it


@pytest.fixture
def machine_page(
    live_server: Any, browser_page: Any, make_user: Any, settings: Any, tmp_path: Path
):
    settings.VAR_DIR = tmp_path  # the simulated devices' state and the printer's spool
    search.invalidate()
    catalogfile.load_shipped_catalog()
    ensure_billers(Biller)
    kiosk = give_kiosk(make_user(Role.OPERATOR, full_name="Machine owner"))
    Kiosk.objects.filter(pk=kiosk.pk).update(kiosk_type=KioskType.PLUS)
    kiosk.refresh_from_db()
    machine, token = services.register_machine(actor=None, kiosk=kiosk)
    page = browser_page
    page.context.add_cookies([{"name": COOKIE, "value": token, "url": live_server.url}])
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.machine = machine
    page.refused = refused
    return page


def type_on_keypad(page: Any, digits: str) -> None:
    for digit in digits:
        page.locator(f'#keypad [data-key="{digit}"]').click()


@pytest.mark.browser
@pytest.mark.simulators
@pytest.mark.django_db(transaction=True)
def test_a_citizen_pays_a_bill_in_cash_at_the_machine_and_the_receipt_is_printed(
    live_server, machine_page, biller, tmp_path
):
    page = machine_page
    page.set_viewport_size({"width": 1366, "height": 768})
    with page.expect_response(re.compile(r"/machine/api/heartbeat$")) as beat:
        page.goto(f"{live_server.url}/machine/")
    assert beat.value.ok
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    page.locator("#start").click()
    page.locator('a[data-biller="jvvnl"]').click()
    type_on_keypad(page, CONSUMER)
    expect(page.locator("#consumer")).to_have_value(CONSUMER)
    smallest = page.evaluate(
        "Math.min(...[...document.querySelectorAll('button, a.touch')]"
        ".map(e => e.getBoundingClientRect()).map(r => Math.min(r.width, r.height)))"
    )
    assert smallest >= 48  # touch targets
    page.locator("#fetch").click()

    expect(page).to_have_url(f"{live_server.url}/machine/pay/")
    expect(page.locator("#bill-consumer")).to_have_text(CONSUMER)
    cash = CashPayment.objects.get()
    for _ in range(math.ceil(cash.total / 500_00)):
        with page.expect_response(re.compile(r"/machine/api/cash/insert$")):
            page.locator('[data-note="500"]').click()
    expect(page.locator("#cash-confirm")).to_be_enabled()
    page.locator("#cash-confirm").click()

    expect(page).to_have_url(f"{live_server.url}/machine/pay/outcome/")
    outbox.run_due()  # the worker calls the biller; the screen notices by itself
    expect(page.locator("#outcome-paid")).to_be_visible()
    expect(page.locator("#outcome")).to_have_attribute("data-printed", "yes")
    payment = BillPayment.objects.get()
    assert payment.state == PaymentState.SUCCESS
    expect(page.locator("#receipt-number")).to_have_text(payment.number)

    spool = tmp_path / "machines" / page.machine.code / "spool" / f"{payment.number}.escpos"
    ops = decode(spool.read_bytes())
    assert ops[0] == ("init", "") and ops[-1] == ("cut", "")
    assert ("text", f"Receipt: {payment.number}") in ops
    assert any(op == "qr" and "/receipts/verify/" in data for op, data in ops)
    assert CashPayment.objects.get().state == CashState.PAID
    page.machine.refresh_from_db()
    assert page.machine.last_seen_at is not None  # the heartbeat arrived
    assert page.refused == []


@pytest.mark.browser
@pytest.mark.simulators
@pytest.mark.django_db(transaction=True)
def test_after_the_idle_timeout_nothing_of_the_previous_citizen_remains(
    live_server, machine_page, biller, settings
):
    settings.MACHINE_IDLE_SECONDS = 3
    page = machine_page
    page.goto(f"{live_server.url}/machine/")
    page.locator("#start").click()
    page.locator('a[data-biller="jvvnl"]').click()
    type_on_keypad(page, CONSUMER)
    assert page.evaluate("sessionStorage.getItem('machine.consumer')") == CONSUMER
    page.evaluate("localStorage.setItem('machine.note', 'left by the page')")
    page.locator("#fetch").click()
    expect(page.locator("#bill-consumer")).to_have_text(CONSUMER)
    with page.expect_response(re.compile(r"/machine/api/cash/insert$")):
        page.locator('[data-note="100"]').click()
    session_key = next(
        c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    )
    assert SessionStore(session_key=session_key).get("machine_cash")

    # The citizen walks away: no touch. The screen goes back to the attract screen by itself.
    expect(page.locator("#attract")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/machine/")

    assert CONSUMER not in page.content()
    assert page.evaluate("sessionStorage.length") == 0
    assert page.evaluate("localStorage.length") == 0
    assert not SessionStore().exists(session_key)  # the server session is gone
    now_key = next(
        (c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME),
        "",
    )
    assert not now_key or "machine_cash" not in SessionStore(session_key=now_key).load()
    cash = CashPayment.objects.get()
    assert cash.state == CashState.RETURNED  # the ₹100 note came back; nothing was posted
    assert not BillPayment.objects.exists()
    assert page.refused == []


@pytest.mark.browser
@pytest.mark.simulators
@pytest.mark.django_db(transaction=True)
def test_a_citizen_pays_by_card_after_a_first_card_is_declined(
    live_server, machine_page, biller, tmp_path
):
    page = machine_page
    page.set_viewport_size({"width": 1366, "height": 768})
    reader = devices_for(page.machine.code).card
    page.goto(f"{live_server.url}/machine/")
    page.locator("#start").click()
    page.locator('a[data-biller="jvvnl"]').click()
    type_on_keypad(page, CONSUMER)
    page.locator("#fetch").click()
    expect(page.locator("#bill-consumer")).to_have_text(CONSUMER)

    page.locator("#method-card").click()
    expect(page.locator("#card-panel")).to_be_visible()
    expect(page.locator("#cash-panel")).to_be_hidden()
    expect(page.locator("#method-card")).to_have_attribute("aria-pressed", "true")
    smallest = page.evaluate(
        "Math.min(...[...document.querySelectorAll('button, a.touch')]"
        ".filter(e => e.offsetParent !== null)"
        ".map(e => e.getBoundingClientRect()).map(r => Math.min(r.width, r.height)))"
    )
    assert smallest >= 48  # touch targets

    reader.inject_fault("decline")
    with page.expect_response(re.compile(r"/machine/api/card/charge$")) as declined:
        page.locator("#card-pay").click()
    assert declined.value.status == 409
    expect(page.locator("#card-error")).to_be_visible()
    expect(page.locator("#card-pay")).to_be_enabled()  # try again, or choose cash
    expect(page.locator("#method-cash")).to_be_enabled()
    assert reader.charged_total() == 0

    page.locator("#card-pay").click()

    expect(page).to_have_url(f"{live_server.url}/machine/pay/outcome/")
    outbox.run_due()  # the worker calls the biller; the screen notices by itself
    expect(page.locator("#outcome-paid")).to_be_visible()
    expect(page.locator("#outcome")).to_have_attribute("data-printed", "yes")
    payment = BillPayment.objects.get()
    assert payment.state == PaymentState.SUCCESS
    cash = CashPayment.objects.get()
    assert cash.state == CashState.PAID and cash.method == "card"
    assert reader.charged_total() == cash.total == payment.total  # charged once
    spool = tmp_path / "machines" / page.machine.code / "spool" / f"{payment.number}.escpos"
    ops = decode(spool.read_bytes())
    assert ("text", f"Paid by card, auth {cash.card_auth}") in ops
    assert page.refused == []


@pytest.mark.browser
@pytest.mark.simulators
@pytest.mark.django_db(transaction=True)
def test_a_citizen_pays_a_bill_with_a_refund_voucher_typed_on_the_keypad(
    live_server, machine_page, biller
):
    page = machine_page
    machine = page.machine
    earlier = CashPayment.objects.create(
        key="mc-earlier",
        machine=machine,
        biller=Biller.objects.get(code="jvvnl"),
        consumer=CONSUMER,
        amount=6000_00,
        total=6000_00,
    )
    services._take_cash(earlier, 6000_00)  # the money an earlier, failed payment took
    voucher = services.issue_voucher(
        cash=earlier, purpose=VoucherPurpose.REFUND, amount=6000_00, reason="biller down"
    )
    page.goto(f"{live_server.url}/machine/")
    page.locator("#have-voucher").click()
    type_on_keypad(page, voucher.code)
    expect(page.locator("#voucher-code")).to_have_value(voucher.code)
    page.locator("#voucher-use").click()
    expect(page.locator("#voucher-held")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0  # the code is never kept in the browser
    page.locator('a[data-biller="jvvnl"]').click()
    type_on_keypad(page, CONSUMER)
    page.locator("#fetch").click()
    expect(page.locator("#bill-credited")).to_be_visible()

    page.locator("#voucher-pay").click()

    expect(page).to_have_url(f"{live_server.url}/machine/pay/outcome/")
    outbox.run_due()
    expect(page.locator("#outcome-paid")).to_be_visible()
    expect(page.locator("#outcome-change")).to_be_visible()  # the excess, on a new voucher
    expect(page.locator("#outcome")).to_have_attribute("data-printed", "yes")
    voucher.refresh_from_db()
    assert voucher.redeemed_at is not None
    paid = CashPayment.objects.exclude(key="mc-earlier").get()
    assert paid.state == CashState.PAID and paid.credited == 6000_00
    assert page.refused == []
