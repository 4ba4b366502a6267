"""A machine's refund voucher paid out in cash at a kiosk counter: once, on the ledger
(vouchers payable → the operator's wallet), refused when used, expired or unknown."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import give_kiosk
from emitra.accounts.roles import Role
from emitra.core.models import AuditEntry
from emitra.kiosks.errors import KioskNotActive, NoKiosk
from emitra.ledger import selectors as ledger_selectors
from emitra.ledger.models import JournalTransaction
from emitra.machines import conf, errors, services
from emitra.machines.models import CashPayment, RefundVoucher

from .test_cash_flow import OK, assert_ledger_ok, balance

pytestmark = pytest.mark.django_db


def a_voucher(machine, devices, biller_row) -> RefundVoucher:
    """₹500 owed: the first note reached the box, then the acceptor jammed."""
    cash = CashPayment.objects.create(
        key=f"mc-{uuid.uuid4().hex}",
        machine=machine,
        biller=biller_row,
        consumer=OK,
        amount=400_00,
        total=400_00,
    )
    services.insert_note(cash=cash, note=500, devices=devices)
    services.insert_note(cash=cash, note=100, devices=devices)
    devices.cash.inject_fault("jam_after_one")
    return services.confirm_cash_payment(cash=cash, devices=devices).vouchers.get()


@pytest.fixture
def voucher(machine, devices, jvvnl) -> RefundVoucher:
    return a_voucher(machine, devices, jvvnl)


@pytest.fixture
def counter(make_user):
    operator = make_user(Role.OPERATOR, full_name="Counter operator")
    give_kiosk(operator)
    return operator


def wallet_balance(user) -> int:
    wallet = ledger_selectors.wallet_of(user.pk)
    return ledger_selectors.posted_balance(wallet) if wallet else 0


def test_an_operator_pays_out_a_voucher_and_is_credited_for_it(voucher, counter):
    assert balance(services.VOUCHERS_PAYABLE) == 500_00

    paid = services.pay_out_voucher(operator=counter, code=voucher.code)

    assert paid.redeemed_at is not None and paid.redeemed_by == counter
    assert balance(services.VOUCHERS_PAYABLE) == 0
    assert wallet_balance(counter) == 500_00
    assert paid.redemption_transaction_id is not None
    txn = JournalTransaction.objects.get(pk=paid.redemption_transaction_id)
    assert txn.kind == "machine_voucher_payout" and txn.key == f"voucher-payout:{voucher.number}"
    assert_ledger_ok()


def test_a_voucher_is_paid_out_only_once(voucher, counter, make_user):
    services.pay_out_voucher(operator=counter, code=voucher.code)
    other = make_user(Role.OPERATOR, full_name="Another counter")
    give_kiosk(other)

    for who in (counter, other):
        with pytest.raises(errors.VoucherRedeemed):
            services.pay_out_voucher(operator=who, code=voucher.code)

    assert wallet_balance(counter) == 500_00 and wallet_balance(other) == 0
    assert JournalTransaction.objects.filter(kind="machine_voucher_payout").count() == 1
    assert_ledger_ok()


def test_the_code_is_read_as_printed_with_spaces_or_dashes(voucher, counter):
    printed = services.format_voucher_code(voucher.code)
    assert len(voucher.code) == 12 and printed.count(" ") == 2
    typed = f"  {printed.replace(' ', '-')} "
    assert services.pay_out_voucher(operator=counter, code=typed).pk == voucher.pk


def unknown_codes(voucher: RefundVoucher) -> list[str]:
    wrong = f"{(int(voucher.code) + 1) % 10**12:012d}"
    return ["", "123", wrong, voucher.code[:11], "not a voucher", "9" * 200]


def test_an_unknown_code_or_the_number_alone_is_refused(voucher, counter, settings):
    settings.MACHINE_VOUCHER_MISSES = 100  # here each code is judged, not the typing
    for code in [*unknown_codes(voucher), voucher.number]:
        with pytest.raises(errors.UnknownVoucher):
            services.pay_out_voucher(operator=counter, code=code)
    voucher.refresh_from_db()
    assert voucher.redeemed_at is None
    assert balance(services.VOUCHERS_PAYABLE) == 500_00


def test_an_expired_voucher_is_refused(voucher, counter):
    RefundVoucher.objects.filter(pk=voucher.pk).update(
        issued_at=timezone.now() - timedelta(days=conf.voucher_days(), seconds=1)
    )

    with pytest.raises(errors.VoucherExpired):
        services.pay_out_voucher(operator=counter, code=voucher.code)

    voucher.refresh_from_db()
    assert voucher.redeemed_at is None
    assert balance(services.VOUCHERS_PAYABLE) == 500_00


def test_only_an_active_kiosk_pays_out(voucher, make_user):
    no_kiosk = make_user(Role.OPERATOR, full_name="No kiosk")
    suspended = make_user(Role.OPERATOR, full_name="Suspended")
    give_kiosk(suspended, status="suspended")

    with pytest.raises(NoKiosk):
        services.pay_out_voucher(operator=no_kiosk, code=voucher.code)
    with pytest.raises(KioskNotActive):
        services.pay_out_voucher(operator=suspended, code=voucher.code)
    voucher.refresh_from_db()
    assert voucher.redeemed_at is None


# --- the counter page -------------------------------------------------------------------------


def test_the_counter_page_pays_out_and_shows_what_to_hand_over(client_as, voucher, counter):
    client = client_as(Role.OPERATOR, user=counter)
    client.cookies["emitra_lang"] = "en"  # the messages below are read in English
    assert client.get("/machines/vouchers/").status_code == 200
    assert "/machines/vouchers/" in client.get("/console/").content.decode()

    response = client.post("/machines/vouchers/", {"code": voucher.code})

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f'data-voucher="{voucher.number}"' in page and "₹500" in page

    again = client.post("/machines/vouchers/", {"code": voucher.code})
    assert again.status_code == 409
    assert "already used on" in again.content.decode()
    unknown = client.post("/machines/vouchers/", {"code": "000000000000"})
    assert unknown.status_code == 404
    assert "No refund voucher has this code" in unknown.content.decode()
    assert wallet_balance(counter) == 500_00


def test_someone_elses_pay_out_is_not_shown(client_as, voucher, counter, make_user):
    services.pay_out_voucher(operator=counter, code=voucher.code)
    other = make_user(Role.OPERATOR, full_name="Another counter")
    page = client_as(Role.OPERATOR, user=other).get(f"/machines/vouchers/?paid={voucher.number}")
    assert 'id="payout-done"' not in page.content.decode()


def test_only_operators_may_pay_out(client, client_as, voucher):
    anonymous = client.post("/machines/vouchers/", {"code": voucher.code})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    for role in (Role.CITIZEN, Role.STATE_ADMIN, Role.DISTRICT_ADMIN, Role.LSP):
        response = client_as(role).post("/machines/vouchers/", {"code": voucher.code})
        assert response.status_code == 403
    voucher.refresh_from_db()
    assert voucher.redeemed_at is None


def test_a_machine_token_cannot_pay_out(machine_and_token, voucher):
    from .test_views import machine_client

    _machine, token = machine_and_token
    response = machine_client(token).post("/machines/vouchers/", {"code": voucher.code})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    voucher.refresh_from_db()
    assert voucher.redeemed_at is None


def test_too_many_unknown_codes_lock_the_counter_for_a_while(voucher, counter, settings):
    """A code is secret but guessable by someone typing long enough: after the allowed misses
    every code — even the right one — is refused at that counter until the window passes."""
    settings.MACHINE_VOUCHER_MISSES = 3
    for n in range(3):
        with pytest.raises(errors.UnknownVoucher):
            services.pay_out_voucher(operator=counter, code=f"99999999999{n}")
    with pytest.raises(errors.TooManyVoucherCodes):
        services.pay_out_voucher(operator=counter, code=voucher.code)
    voucher.refresh_from_db()
    assert voucher.redeemed_at is None
    assert not AuditEntry.objects.filter(after__icontains="999999").exists()  # codes not kept

    settings.MACHINE_VOUCHER_MISS_WINDOW_SECONDS = 0  # the window has passed
    assert services.pay_out_voucher(operator=counter, code=voucher.code).redeemed_at is not None


def test_too_many_unknown_codes_lock_the_machine_but_not_others(voucher, machine, settings):
    settings.MACHINE_VOUCHER_MISSES = 2
    for _ in range(2):
        with pytest.raises(errors.UnknownVoucher):
            services.check_voucher(code="1111 2222 3333", machine=machine)
    with pytest.raises(errors.TooManyVoucherCodes):
        services.check_voucher(code=voucher.code, machine=machine)
