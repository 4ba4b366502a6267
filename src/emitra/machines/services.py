"""Machines: device tokens, heartbeats, and a citizen's cash from escrow to a paid bill.

Money (DESIGN.md §4; every posting through emitra.ledger.services, idempotent on the
cash payment's key):

    cash stacked       machine cash box  → machine kiosk's wallet   (the notes now in the box)
    bill paid          the ordinary billpay saga on that wallet     (hold → post or void)
    service failed     wallet → refund vouchers payable              (a numbered voucher, MRV)
    change owed        wallet → refund vouchers payable              (the same, purpose=change)

The cash box is a hot account whose negative balance is the cash physically in the machine;
emptying the box (a collection) brings it back to zero. Vouchers payable holds what bearers of
unredeemed vouchers are owed; redemption (vouchers payable → cash paid out) is the next step.

Faults: notes still in escrow are returned and nothing is posted; notes that reached the box
are always credited to the wallet and, unless the bill is then paid, owed on a voucher.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from pathlib import Path

import structlog
from django.db import transaction
from django.utils import timezone

from emitra.accounts.models import User
from emitra.billpay import receipts as billpay_receipts
from emitra.billpay import services as billpay
from emitra.billpay.errors import PaymentInProgress
from emitra.billpay.models import Biller, BillPayment, PaymentState
from emitra.core import audit, outbox
from emitra.core.errors import DomainError
from emitra.core.ids import next_number
from emitra.core.money import format_inr
from emitra.core.timeutil import format_ist
from emitra.kiosks.models import Kiosk, KioskType
from emitra.ledger import selectors as ledger_selectors
from emitra.ledger import services as ledger
from emitra.ledger.models import Account, AccountKind
from emitra.ledger.services import Cause, Leg
from emitra.machines import errors
from emitra.machines.devices import CashFault, Devices, NoteRejected
from emitra.machines.escpos import Receipt
from emitra.machines.models import CashPayment, CashState, Machine, RefundVoucher, VoucherPurpose

log = structlog.get_logger(__name__)

SCOPE = "machines"
VOUCHER_SERIES = "MRV"  # MRV-2026-27-000000001
VOUCHERS_PAYABLE = "machine:refund-vouchers"
SETTLE_DELAY = timedelta(seconds=30)
SETTLE_MAX_CHECKS = 200  # ~100 minutes of checks; the billpay saga ends well before


# --- device tokens and heartbeats -----------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def register_machine(*, actor: User | None, kiosk: Kiosk) -> tuple[Machine, str]:
    """Register a plus kiosk as a machine (or give it a new token); the token is shown once."""
    if kiosk.kiosk_type != KioskType.PLUS:
        raise errors.NotAMachineKiosk()
    token = _new_token()
    machine = Machine.objects.select_for_update().filter(kiosk=kiosk).first()
    if machine is None:
        machine = Machine.objects.create(
            kiosk=kiosk, token_hash=hash_token(token), token_hint=token[:6]
        )
        action = "machines.register"
    else:
        machine.token_hash = hash_token(token)
        machine.token_hint = token[:6]
        machine.save(update_fields=["token_hash", "token_hint"])
        action = "machines.rotate_token"
    audit.record(actor=actor, action=action, obj=machine, after={"kiosk": kiosk.code})
    return machine, token


def machine_for_token(token: str) -> Machine | None:
    if not token or len(token) > 200:
        return None
    return (
        Machine.objects.select_related("kiosk", "kiosk__operator")
        .filter(token_hash=hash_token(token))
        .first()
    )


def record_heartbeat(*, machine: Machine, states: dict[str, str]) -> None:
    clean = {str(k)[:20]: str(v)[:20] for k, v in list(states.items())[:10]}
    Machine.objects.filter(pk=machine.pk).update(last_seen_at=timezone.now(), device_states=clean)


# --- accounts -------------------------------------------------------------------------------


def cash_box(machine: Machine) -> Account:
    return ledger.open_account(
        code=f"machine:cashbox:{machine.code}",
        kind=AccountKind.SUSPENSE,
        name=f"Cash box of machine {machine.code}",
        owner_type="machines.machine",
        owner_id=str(machine.pk),
    )


def vouchers_payable() -> Account:
    return ledger.open_account(
        code=VOUCHERS_PAYABLE, kind=AccountKind.SUSPENSE, name="Machine refund vouchers payable"
    )


def _operator(machine: Machine) -> User:
    operator = machine.kiosk.operator
    assert isinstance(operator, User)
    return operator


def machine_wallet(machine: Machine) -> Account:
    operator = _operator(machine)
    return ledger_selectors.wallet_of(operator.pk) or ledger.open_operator_wallet(
        user_id=operator.pk, name=f"Machine {machine.code}"
    )


def _cause(cash: CashPayment) -> Cause:
    return Cause("machines.cashpayment", cash.key)


# --- a citizen's cash payment ---------------------------------------------------------------


def start_cash_payment(*, machine: Machine, biller: Biller, consumer: str) -> CashPayment:
    """Fetch the bill and open a cash payment for its full amount (plus any charge) — before
    a single note is taken, so a bill already paid or being paid is refused with no cash in."""
    operator = _operator(machine)
    fetched = billpay.fetch_bill(operator=operator, biller=biller, consumer=consumer)
    seen = billpay.earlier_payments(biller=biller, consumer=fetched.consumer)
    if seen.pending is not None:
        raise PaymentInProgress(seen.pending.number)
    if seen.recent is not None:
        raise errors.BillAlreadyPaid(seen.recent.number)
    priced = billpay.price(operator=operator, biller=biller, amount=fetched.amount)
    with transaction.atomic():
        cash = CashPayment.objects.create(
            key=f"mc-{uuid.uuid4().hex}",
            machine=machine,
            biller=biller,
            consumer=fetched.consumer,
            amount=fetched.amount,
            total=priced.total_citizen,
        )
        audit.record(
            actor=None,
            actor_label=f"machine {machine.code}",
            action="machines.start",
            obj=cash,
            after={"biller": biller.code, "consumer": fetched.consumer, "total": cash.total},
        )
    return cash


def insert_note(*, cash: CashPayment, note: int, devices: Devices) -> int:
    """One note into escrow; the escrow total. A rejected note changes nothing; an acceptor
    timeout returns the whole escrow and ends the payment (nothing was posted)."""
    if cash.state != CashState.COLLECTING:
        raise errors.NotCollecting()
    try:
        return devices.cash.accept(note)
    except NoteRejected:
        raise errors.NoteNotAccepted() from None
    except CashFault as fault:
        _mark_returned(cash, fault.kind)
        raise errors.CashReturned() from None


def _mark_returned(cash: CashPayment, fault: str) -> None:
    with transaction.atomic():
        CashPayment.objects.filter(pk=cash.pk, state=CashState.COLLECTING).update(
            state=CashState.RETURNED, fault=fault[:200], updated_at=timezone.now()
        )
        audit.record(actor=None, action="machines.returned", obj=cash, after={"fault": fault})
    cash.refresh_from_db()


def cancel_cash_payment(*, cash: CashPayment, devices: Devices) -> int:
    """The citizen cancels (or walks away): the escrow comes back; nothing is posted."""
    if cash.state != CashState.COLLECTING:
        return 0
    returned = devices.cash.return_escrow()
    _mark_returned(cash, "cancelled")
    return returned


@transaction.atomic
def _take_cash(cash: CashPayment, stacked: int) -> None:
    """Notes reached the cash box: credit them to the machine's wallet, exactly once."""
    ledger.transfer(
        legs=[Leg(cash_box(cash.machine), machine_wallet(cash.machine), stacked)],
        kind="machine_cash_in",
        scope=SCOPE,
        key=f"cash-in:{cash.key}",
        cause=_cause(cash),
        memo=f"Cash at machine {cash.machine.code}",
    )
    CashPayment.objects.filter(pk=cash.pk).update(stacked=stacked, updated_at=timezone.now())
    cash.stacked = stacked


@transaction.atomic
def issue_voucher(
    *, cash: CashPayment, purpose: VoucherPurpose, amount: int, reason: str
) -> RefundVoucher:
    """Record what the machine owes the citizen: wallet → vouchers payable, and a numbered
    voucher (gapless series MRV). Once per payment and purpose."""
    existing = RefundVoucher.objects.filter(cash_payment=cash, purpose=purpose).first()
    if existing is not None:
        return existing
    number = next_number(VOUCHER_SERIES).text
    txn = ledger.transfer(
        legs=[Leg(machine_wallet(cash.machine), vouchers_payable(), amount)],
        kind="machine_refund_voucher",
        scope=SCOPE,
        key=f"voucher:{cash.key}:{purpose}",
        cause=_cause(cash),
        memo=f"Refund voucher {number}",
    )
    voucher = RefundVoucher.objects.create(
        number=number,
        cash_payment=cash,
        purpose=purpose,
        amount=amount,
        reason=reason[:200],
        journal_transaction_id=txn.pk,
    )
    audit.record(
        actor=None,
        action="machines.voucher",
        obj=voucher,
        after={"number": number, "amount": amount, "purpose": str(purpose), "cash": cash.key},
    )
    log.info("machines.voucher", number=number, amount=amount, purpose=str(purpose))
    return voucher


def _vouchered(cash: CashPayment, amount: int, reason: str) -> CashPayment:
    with transaction.atomic():
        issue_voucher(cash=cash, purpose=VoucherPurpose.REFUND, amount=amount, reason=reason)
        CashPayment.objects.filter(pk=cash.pk).update(
            state=CashState.VOUCHERED, fault=reason[:200], updated_at=timezone.now()
        )
    cash.refresh_from_db()
    return cash


def confirm_cash_payment(*, cash: CashPayment, devices: Devices) -> CashPayment:
    """Stack the escrow and pay the bill from the wallet it funds.

    A jam before any note reached the box returns the escrow and posts nothing; once notes are
    in the box they are credited, and if the bill cannot be paid a refund voucher records the
    debt. The biller's answer comes later (the billpay saga); `settle` finishes then."""
    cash = CashPayment.objects.select_related("machine__kiosk__operator", "biller").get(pk=cash.pk)
    if cash.state != CashState.COLLECTING:
        raise errors.NotCollecting()
    escrow = devices.cash.escrow()
    if escrow < cash.total:
        raise errors.NotEnoughCash(format_inr(cash.total))
    try:
        stacked = devices.cash.stack()
    except CashFault as fault:
        if fault.stacked == 0:
            _mark_returned(cash, fault.kind)
            raise errors.CashReturned() from None
        _take_cash(cash, fault.stacked)
        return _vouchered(cash, fault.stacked, f"cash acceptor {fault.kind}")
    _take_cash(cash, stacked)
    try:
        payment = billpay.pay_bill(
            operator=_operator(cash.machine),
            biller=cash.biller,
            consumer=cash.consumer,
            amount=cash.amount,
            key=cash.key,
        )
    except DomainError as error:
        return _vouchered(cash, stacked, str(error.message))
    with transaction.atomic():
        if stacked > payment.total:
            issue_voucher(
                cash=cash,
                purpose=VoucherPurpose.CHANGE,
                amount=stacked - payment.total,
                reason="change",
            )
        CashPayment.objects.filter(pk=cash.pk).update(
            state=CashState.PAYING, payment=payment, updated_at=timezone.now()
        )
        outbox.enqueue("machines.settle", delay=SETTLE_DELAY, key=cash.key)
    cash.refresh_from_db()
    return settle(key=cash.key)


@transaction.atomic
def settle(*, key: str) -> CashPayment:
    """Once the biller has answered: paid, or the held money (now back in the wallet) is owed
    on a refund voucher. Safe to run any number of times, from the page or the worker."""
    cash = (
        CashPayment.objects.select_for_update(of=("self",))
        .select_related("payment", "machine__kiosk__operator")
        .get(key=key)
    )
    if cash.state != CashState.PAYING or cash.payment is None:
        return cash
    payment = cash.payment
    if payment.state == PaymentState.PENDING:
        return cash
    if payment.state == PaymentState.SUCCESS:
        CashPayment.objects.filter(pk=cash.pk).update(
            state=CashState.PAID, updated_at=timezone.now()
        )
        audit.record(
            actor=None, action="machines.paid", obj=cash, after={"receipt": payment.number}
        )
    else:
        issue_voucher(
            cash=cash,
            purpose=VoucherPurpose.REFUND,
            amount=payment.total,
            reason=payment.failure_reason or str(payment.get_state_display()),
        )
        CashPayment.objects.filter(pk=cash.pk).update(
            state=CashState.VOUCHERED,
            fault=(payment.failure_reason or "")[:200],
            updated_at=timezone.now(),
        )
    cash.refresh_from_db()
    return cash


# --- printing -------------------------------------------------------------------------------


def receipt_job(payment: BillPayment, machine: Machine) -> bytes:
    job = Receipt().align("center").bold(True).text("e-Mitra Plus").bold(False)
    job.text(f"Machine {machine.code}").align("left")
    job.text(f"Receipt: {payment.number}")
    job.text(f"Biller: {payment.biller.name_en}")
    job.text(f"Consumer: {payment.consumer}")
    job.text(f"Amount: Rs {format_inr(payment.amount, language='en').lstrip('₹')}")
    job.text(f"Total paid: Rs {format_inr(payment.total, language='en').lstrip('₹')}")
    if payment.completed_at is not None:
        job.text(f"Paid at: {format_ist(payment.completed_at)}")
    job.align("center").qr(billpay_receipts.verify_url(payment)).text("Scan to verify")
    return job.cut().build()


def voucher_job(voucher: RefundVoucher, machine: Machine) -> bytes:
    job = Receipt().align("center").bold(True).text("REFUND VOUCHER").bold(False)
    job.text(f"Machine {machine.code}").align("left")
    job.text(f"Voucher: {voucher.number}")
    job.text(f"Amount: Rs {format_inr(voucher.amount, language='en').lstrip('₹')}")
    job.text(f"Reason: {voucher.reason}")
    job.text(f"Issued: {format_ist(voucher.issued_at)}")
    job.text("Redeem at any e-Mitra kiosk.")
    job.align("center").qr(voucher.number)
    return job.cut().build()


def print_outcome(*, cash: CashPayment, devices: Devices) -> list[Path]:
    """Print the receipt (paid) and any vouchers, once: the first caller claims the print."""
    if cash.state not in (CashState.PAID, CashState.VOUCHERED):
        return []
    claimed = CashPayment.objects.filter(pk=cash.pk, printed_at__isnull=True).update(
        printed_at=timezone.now()
    )
    if claimed != 1:
        return []
    paths: list[Path] = []
    if cash.state == CashState.PAID and cash.payment is not None:
        job = receipt_job(cash.payment, cash.machine)
        paths.append(devices.printer.print_job(job, name=cash.payment.number))
    for voucher in RefundVoucher.objects.filter(cash_payment=cash).order_by("number"):
        paths.append(
            devices.printer.print_job(voucher_job(voucher, cash.machine), name=voucher.number)
        )
    return [p for p in paths if p is not None]
