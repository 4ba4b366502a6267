"""Machines: device tokens, heartbeats, and a citizen's cash or card payment to a paid bill.

Money (DESIGN.md §4; every posting through emitra.ledger.services, idempotent on the
cash payment's key, or the voucher's number for a pay-out):

    cash stacked       machine cash box  → machine kiosk's wallet   (the notes now in the box)
    card approved      card acquirer clearing → machine's wallet     (the acquirer owes it)
    bill paid          the ordinary billpay saga on that wallet     (hold → post or void)
    service failed     wallet → refund vouchers payable              (a numbered voucher, MRV)
    change owed        wallet → refund vouchers payable              (the same, purpose=change)
    voucher paid out   vouchers payable → the paying operator's wallet (cash from the drawer)
    voucher applied    vouchers payable → machine's wallet            (all of it; excess → change)
    … and given back   machine's wallet → vouchers payable            (the citizen cancelled)

The cash box is a hot account whose negative balance is the cash physically in the machine;
emptying the box (a collection) brings it back to zero. The card acquirer clearing account is
the same for cards: its negative balance is what the acquirer has yet to settle. Vouchers
payable holds what bearers of unredeemed vouchers are owed.

Faults: notes still in escrow are returned and nothing is posted; notes that reached the box
are always credited to the wallet and, unless the bill is then paid, owed on a voucher. A card
declined or a reader fault charges nothing and posts nothing; the citizen may try again.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta
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
from emitra.core.models import AuditEntry
from emitra.core.money import format_inr
from emitra.core.timeutil import format_ist
from emitra.kiosks.models import Kiosk, KioskType
from emitra.kiosks.selectors import serving_kiosk
from emitra.ledger import selectors as ledger_selectors
from emitra.ledger import services as ledger
from emitra.ledger.models import Account, AccountKind
from emitra.ledger.services import Cause, Leg
from emitra.machines import conf, errors
from emitra.machines.devices import CardFault, CashFault, Devices, NoteRejected
from emitra.machines.escpos import Receipt
from emitra.machines.models import (
    CashPayment,
    CashState,
    Machine,
    PaymentMethod,
    RefundVoucher,
    VoucherPurpose,
)

log = structlog.get_logger(__name__)

SCOPE = "machines"
VOUCHER_SERIES = "MRV"  # MRV-2026-27-000000001
VOUCHERS_PAYABLE = "machine:refund-vouchers"
CARD_ACQUIRER = "machine:card-acquirer"
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


def card_acquirer() -> Account:
    """Card charges approved at machines, owed by the acquirer until it settles (hot)."""
    return ledger.open_account(
        code=CARD_ACQUIRER,
        kind=AccountKind.GATEWAY_CLEARING,
        name="Machine card acquirer clearing",
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
    """The payment ends with nothing taken: notes back, and any voucher applied reopened."""
    with transaction.atomic():
        ended = CashPayment.objects.filter(pk=cash.pk, state=CashState.COLLECTING).update(
            state=CashState.RETURNED, fault=fault[:200], updated_at=timezone.now()
        )
        if ended:
            _give_voucher_back(cash)
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
    CashPayment.objects.filter(pk=cash.pk).update(
        stacked=stacked, method=PaymentMethod.CASH, updated_at=timezone.now()
    )
    cash.stacked = stacked
    cash.method = PaymentMethod.CASH


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
        code=new_voucher_code(),
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


def new_voucher_code() -> str:
    """Twelve random digits (a number pad types them): unguessable, unlike the number."""
    while True:
        code = f"{secrets.randbelow(10**12):012d}"
        if not RefundVoucher.objects.filter(code=code).exists():
            return code


def format_voucher_code(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def _vouchered(cash: CashPayment, amount: int, reason: str) -> CashPayment:
    """All `amount` taken is owed back on a refund voucher (cash or card alike)."""
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
    if escrow < cash.due:
        raise errors.NotEnoughCash(format_inr(cash.due))
    if escrow == 0:  # a refund voucher covers it all: claim it, so a double tap pays once
        claimed = CashPayment.objects.filter(pk=cash.pk, state=CashState.COLLECTING).update(
            state=CashState.PAYING, updated_at=timezone.now()
        )
        if claimed != 1:
            raise errors.NotCollecting()
        return _pay_bill(cash, taken=cash.credited)
    try:
        stacked = devices.cash.stack()
    except CashFault as fault:
        if fault.stacked == 0:
            _mark_returned(cash, fault.kind)
            raise errors.CashReturned() from None
        _take_cash(cash, fault.stacked)
        return _vouchered(cash, fault.stacked + cash.credited, f"cash acceptor {fault.kind}")
    _take_cash(cash, stacked)
    return _pay_bill(cash, taken=stacked + cash.credited)


def _pay_bill(cash: CashPayment, *, taken: int) -> CashPayment:
    """The citizen's money is in the machine's wallet (`taken` paise, cash or card): start the
    billpay saga from it. Refused at once → all of it is owed on a voucher; more than due →
    the change is. The same for cash and card, so settling and printing are shared too."""
    try:
        payment = billpay.pay_bill(
            operator=_operator(cash.machine),
            biller=cash.biller,
            consumer=cash.consumer,
            amount=cash.amount,
            key=cash.key,
        )
    except DomainError as error:
        return _vouchered(cash, taken, str(error.message))
    with transaction.atomic():
        if taken > payment.total:
            issue_voucher(
                cash=cash,
                purpose=VoucherPurpose.CHANGE,
                amount=taken - payment.total,
                reason="change",
            )
        CashPayment.objects.filter(pk=cash.pk).update(
            state=CashState.PAYING, payment=payment, updated_at=timezone.now()
        )
        outbox.enqueue("machines.settle", delay=SETTLE_DELAY, key=cash.key)
    cash.refresh_from_db()
    return settle(key=cash.key)


# --- paying by card -------------------------------------------------------------------------


def charge_card(*, cash: CashPayment, devices: Devices) -> CashPayment:
    """Charge the exact amount due (after any voucher) on the citizen's card, then pay the
    bill as for cash.

    Each attempt first claims the payment (collecting → charging, a conditional update), so a
    double tap or a retried request cannot reach the reader twice; the reader is asked with a
    reference per attempt and answers a replayed reference without charging again. A decline
    or a reader fault charges nothing: the payment goes back to collecting, and the citizen
    may try again or pay in cash. A replay after the charge answers the payment as it is.

    If the bill then cannot be paid, the money is owed on a refund voucher, as for cash —
    not reversed to the card: one refund path keeps settling, printing and the ledger the
    same for both; a reversal after the acquirer has settled becomes a refund it takes days
    to make, while a voucher is paid out at any kiosk counter at once."""
    cash = CashPayment.objects.select_related("machine__kiosk__operator", "biller").get(pk=cash.pk)
    if cash.state == CashState.CHARGING:
        raise errors.ChargeInProgress()
    if cash.state != CashState.COLLECTING:
        if cash.method == PaymentMethod.CARD and cash.charged:
            return cash
        raise errors.NotCollecting()
    if devices.cash.escrow() > 0:
        raise errors.CashInEscrow()
    if cash.due == 0:
        raise errors.NothingToCharge()
    attempt = cash.card_attempts + 1
    claimed = CashPayment.objects.filter(
        pk=cash.pk, state=CashState.COLLECTING, card_attempts=cash.card_attempts
    ).update(
        state=CashState.CHARGING,
        method=PaymentMethod.CARD,
        card_attempts=attempt,
        updated_at=timezone.now(),
    )
    if claimed != 1:
        raise errors.ChargeInProgress()
    try:
        result = devices.card.charge(cash.due, reference=f"{cash.key}:{attempt}")
    except CardFault as fault:
        _card_refused(cash, f"card reader {fault.kind}")
        raise errors.CardReaderFault() from None
    if not result.approved:
        _card_refused(cash, result.reason or "declined")
        raise errors.CardDeclined()
    _take_card(cash, cash.due, result.auth_code)
    return _pay_bill(cash, taken=cash.charged + cash.credited)


def _card_refused(cash: CashPayment, reason: str) -> None:
    with transaction.atomic():
        CashPayment.objects.filter(pk=cash.pk, state=CashState.CHARGING).update(
            state=CashState.COLLECTING, fault=reason[:200], updated_at=timezone.now()
        )
        audit.record(actor=None, action="machines.card_refused", obj=cash, after={"reason": reason})
    cash.refresh_from_db()


@transaction.atomic
def _take_card(cash: CashPayment, amount: int, auth_code: str) -> None:
    """The card was charged: credit the machine's wallet from the acquirer's clearing, once."""
    ledger.transfer(
        legs=[Leg(card_acquirer(), machine_wallet(cash.machine), amount)],
        kind="machine_card_in",
        scope=SCOPE,
        key=f"card-in:{cash.key}",
        cause=_cause(cash),
        memo=f"Card at machine {cash.machine.code} (auth {auth_code})",
    )
    CashPayment.objects.filter(pk=cash.pk).update(
        charged=amount, card_auth=auth_code[:20], fault="", updated_at=timezone.now()
    )
    audit.record(
        actor=None,
        action="machines.card_charged",
        obj=cash,
        after={"amount": amount, "auth": auth_code},
    )
    cash.charged = amount
    cash.card_auth = auth_code[:20]


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


def receipt_job(payment: BillPayment, machine: Machine, *, card_auth: str = "") -> bytes:
    job = Receipt().align("center").bold(True).text("e-Mitra Plus").bold(False)
    job.text(f"Machine {machine.code}").align("left")
    job.text(f"Receipt: {payment.number}")
    job.text(f"Biller: {payment.biller.name_en}")
    job.text(f"Consumer: {payment.consumer}")
    job.text(f"Amount: Rs {format_inr(payment.amount, language='en').lstrip('₹')}")
    job.text(f"Total paid: Rs {format_inr(payment.total, language='en').lstrip('₹')}")
    if card_auth:
        job.text(f"Paid by card, auth {card_auth}")
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
    job.text(f"Valid until: {format_ist(voucher_expires_at(voucher))}")
    job.align("center").bold(True).text(f"Code: {format_voucher_code(voucher.code)}").bold(False)
    job.text("Redeem at any e-Mitra kiosk.").text("Keep the code secret: it is your money.")
    job.qr(voucher.code)
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
        job = receipt_job(cash.payment, cash.machine, card_auth=cash.card_auth)
        paths.append(devices.printer.print_job(job, name=cash.payment.number))
    for voucher in RefundVoucher.objects.filter(cash_payment=cash).order_by("number"):
        paths.append(
            devices.printer.print_job(voucher_job(voucher, cash.machine), name=voucher.number)
        )
    return [p for p in paths if p is not None]


# --- paying out a voucher at a kiosk counter ------------------------------------------------


def normalise_voucher_code(text: str) -> str:
    """The digits typed or scanned (spaces and dashes as printed are ignored)."""
    return "".join(ch for ch in text if ch.isdigit())[:12]


def voucher_expires_at(voucher: RefundVoucher) -> datetime:
    return voucher.issued_at + timedelta(days=conf.voucher_days())


VOUCHER_MISSED = "machines.voucher_code_missed"


def _open_voucher(code: str) -> RefundVoucher:
    """The open voucher with this code, or the reason it cannot be used."""
    digits = normalise_voucher_code(code)
    voucher = RefundVoucher.objects.filter(code=digits).first() if len(digits) == 12 else None
    if voucher is None:
        raise errors.UnknownVoucher()
    if voucher.redeemed_at is not None:
        raise errors.VoucherRedeemed(format_ist(voucher.redeemed_at))
    expires = voucher_expires_at(voucher)
    if expires <= timezone.now():
        raise errors.VoucherExpired(format_ist(expires))
    return voucher


def _claim_voucher(voucher: RefundVoucher, **redeemed: object) -> datetime:
    """Open → redeemed, once: the conditional update a second (even concurrent) use fails."""
    now = timezone.now()
    claimed = RefundVoucher.objects.filter(
        pk=voucher.pk,
        redeemed_at__isnull=True,
        issued_at__gt=now - timedelta(days=conf.voucher_days()),
    ).update(redeemed_at=now, **redeemed)
    if claimed != 1:
        voucher.refresh_from_db()
        raise errors.VoucherRedeemed(format_ist(voucher.redeemed_at or now))
    return now


def _find_voucher(
    code: str, *, machine: Machine | None = None, operator: User | None = None
) -> RefundVoucher:
    """`_open_voucher`, counting codes that match no voucher against the machine or counter
    operator that typed them: a code is secret, but 10¹² of them are guessable by someone
    typing long enough, so after `conf.voucher_misses()` misses in `conf.voucher_miss_window()`
    every code is refused there until the window has passed. Call it outside a transaction:
    the miss must be kept although the request fails."""
    if machine is not None:
        object_type, object_id = "machines.machine", str(machine.pk)
    else:
        assert operator is not None
        object_type, object_id = "accounts.user", str(operator.pk)
    since = timezone.now() - conf.voucher_miss_window()
    misses = AuditEntry.objects.filter(
        action=VOUCHER_MISSED, object_type=object_type, object_id=object_id, at__gte=since
    ).count()
    if misses >= conf.voucher_misses():
        raise errors.TooManyVoucherCodes()
    try:
        return _open_voucher(code)
    except errors.UnknownVoucher:
        with transaction.atomic():
            audit.record(
                actor=operator,
                action=VOUCHER_MISSED,
                object_type=object_type,
                object_id=object_id,
                after={"misses": misses + 1},  # never the code typed
            )
        raise


def check_voucher(*, code: str, machine: Machine) -> RefundVoucher:
    """Whether a voucher can be used now (the machine asks before the citizen picks a bill)."""
    return _find_voucher(code, machine=machine)


def apply_voucher(*, cash: CashPayment, code: str) -> CashPayment:
    """Use a refund voucher towards this payment: all of it goes to the machine's wallet, what
    exceeds the bill comes back as change on a new voucher once the bill is paid, and cash or
    a card covers the rest. One voucher per payment; if the citizen cancels, it is reopened."""
    with transaction.atomic():
        cash = (
            CashPayment.objects.select_for_update(of=("self",))
            .select_related("machine__kiosk__operator")
            .get(pk=cash.pk)
        )
        if cash.state != CashState.COLLECTING:
            raise errors.NotCollecting()
        if cash.credited:
            raise errors.VoucherAlreadyApplied()
        voucher = _open_voucher(code)
        _claim_voucher(voucher, applied_to=cash)
        txn = ledger.transfer(
            legs=[Leg(vouchers_payable(), machine_wallet(cash.machine), voucher.amount)],
            kind="machine_voucher_applied",
            scope=SCOPE,
            key=f"voucher-apply:{cash.key}",
            cause=_cause(cash),
            memo=f"Refund voucher {voucher.number} used at machine {cash.machine.code}",
        )
        RefundVoucher.objects.filter(pk=voucher.pk).update(redemption_transaction_id=txn.pk)
        CashPayment.objects.filter(pk=cash.pk).update(
            credited=voucher.amount, updated_at=timezone.now()
        )
        audit.record(
            actor=None,
            action="machines.voucher_applied",
            obj=cash,
            after={"voucher": voucher.number, "amount": voucher.amount},
        )
    cash.refresh_from_db()
    return cash


def _give_voucher_back(cash: CashPayment) -> None:
    """Undo `apply_voucher` for a payment that ended with nothing paid: the money goes back to
    vouchers payable and the same paper voucher is open again."""
    voucher = RefundVoucher.objects.filter(applied_to=cash).first()
    if voucher is None:
        return
    ledger.transfer(
        legs=[Leg(machine_wallet(cash.machine), vouchers_payable(), voucher.amount)],
        kind="machine_voucher_given_back",
        scope=SCOPE,
        key=f"voucher-back:{cash.key}",
        cause=_cause(cash),
        memo=f"Refund voucher {voucher.number} given back",
    )
    RefundVoucher.objects.filter(pk=voucher.pk).update(
        redeemed_at=None, applied_to=None, redemption_transaction_id=None
    )
    CashPayment.objects.filter(pk=cash.pk).update(credited=0)
    audit.record(
        actor=None,
        action="machines.voucher_given_back",
        obj=cash,
        after={"voucher": voucher.number},
    )


def pay_out_voucher(*, operator: User, code: str) -> RefundVoucher:
    """An operator pays a refund voucher's bearer in cash from the counter's drawer; the
    operator's wallet is credited from vouchers payable. Once: the voucher goes open →
    redeemed by a conditional update (a second, even concurrent, pay-out finds it redeemed
    and is refused), and the posting is keyed by the voucher number. Found by its secret
    code, which the bearer's paper shows, not by its guessable number."""
    serving_kiosk(operator)
    _find_voucher(code, operator=operator)
    return _pay_out(operator=operator, code=code)


@transaction.atomic
def _pay_out(*, operator: User, code: str) -> RefundVoucher:
    kiosk = serving_kiosk(operator)
    voucher = _open_voucher(code)
    _claim_voucher(voucher, redeemed_by=operator)
    wallet = ledger_selectors.wallet_of(operator.pk) or ledger.open_operator_wallet(
        user_id=operator.pk, name=operator.full_name or operator.username
    )
    txn = ledger.transfer(
        legs=[Leg(vouchers_payable(), wallet, voucher.amount)],
        kind="machine_voucher_payout",
        scope=SCOPE,
        key=f"voucher-payout:{voucher.number}",
        cause=Cause("machines.refundvoucher", voucher.number),
        actor_id=operator.pk,
        memo=f"Refund voucher {voucher.number} paid out at {kiosk.code}",
    )
    RefundVoucher.objects.filter(pk=voucher.pk).update(redemption_transaction_id=txn.pk)
    audit.record(
        actor=operator,
        action="machines.voucher_paid_out",
        obj=voucher,
        after={"number": voucher.number, "amount": voucher.amount, "kiosk": kiosk.code},
    )
    log.info("machines.voucher_paid_out", number=voucher.number, kiosk=kiosk.code)
    voucher.refresh_from_db()
    return voucher
