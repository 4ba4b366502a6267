"""Bill payments: fetch a bill, then the saga of DESIGN.md §4.

`pay_bill` holds the money on the operator's wallet, writes the payment (its receipt number
issued now, so every attempt has a receipt) and queues the biller call — one transaction, so a
crash leaves either nothing or a held payment the worker will finish. The worker calls the
biller *outside* any transaction (`send_to_biller`), then applies the answer in one:

    success                 post the hold (bill, commission legs) → success, SMS
    failed                  void the hold → failed, SMS
    unknown / pending       poll the status with growing delays (`check_with_biller`);
                            past the deadline, cancel at the biller and void → reversed
    no word, no cancel      after BILLPAY_CANCEL_ATTEMPTS unanswered cancels (or a day before
                            the hold would expire), stop polling and flag the payment for
                            staff (`flag_for_attention`); a state or district admin then
                            resolves it as paid (`resolve_paid`) or failed (`resolve_failed`)

Every transition is a conditional UPDATE on `state='pending'`; postings are idempotent on the
receipt number, and the biller is idempotent on it too, so running any step twice (a worker
killed after the biller answered, an outbox retry) changes nothing the second time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.billpay import conf
from emitra.billpay.adapters import BillerAnswer, adapter_for
from emitra.billpay.errors import (
    AmountAboveBill,
    AmountBelowMinimum,
    FetchFirst,
    InvalidConsumerNumber,
    InvalidMobile,
    NotAllowedToResolve,
    NotAwaitingStaff,
    OutOfDistrict,
    PartPaymentNotAllowed,
    PaymentInProgress,
    PaymentKeyReused,
    RecentlyPaid,
    ResolutionReasonRequired,
    UnknownBiller,
)
from emitra.billpay.models import (
    AttentionReason,
    Biller,
    BillPayment,
    FetchedBill,
    PaymentState,
)
from emitra.catalog.models import Channel
from emitra.catalog.pricing import Quote, quote
from emitra.commissions.services import post_service_payment
from emitra.core import audit, outbox
from emitra.core.errors import Conflict, InvalidInput, PermissionDenied
from emitra.core.ids import next_number
from emitra.core.masking import mask_mobile
from emitra.core.money import Paise, format_inr
from emitra.core.timeutil import format_ist
from emitra.kiosks.models import Kiosk
from emitra.kiosks.selectors import category_of, serving_kiosk
from emitra.ledger import selectors as ledger_selectors
from emitra.ledger import services as ledger
from emitra.ledger.errors import HoldResolved, InsufficientFunds
from emitra.ledger.models import Account, AccountKind, Hold, HoldState
from emitra.ledger.services import Cause, request_hash

log = structlog.get_logger(__name__)

SERIES = "BPR"  # receipt numbers: BPR-2026-27-000000123
SCOPE = "billpay"
# Far beyond the saga's deadline: the saga, not expiry, ends a hold. A payment still unresolved
# a day (conf.attention_before_hold_expiry) before its hold expires is referred to staff.
HOLD_TTL = timedelta(days=2)
FETCH_FRESH = timedelta(minutes=30)  # a payment must follow a fetch this recent
RECENT = timedelta(hours=24)  # a bill paid this recently is paid again only on purpose
MAX_POLL_DELAY = 60.0
CHANNEL = Channel.KIOSK
_MOBILE = re.compile(r"^[6-9]\d{9}$")
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,100}$")
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")


class ConcurrentChange(Conflict):
    def __init__(self, number: str) -> None:
        super().__init__(
            "billpay.concurrent_change",
            _("Receipt %(number)s changed meanwhile; nothing was done twice.") % {"number": number},
        )


def _kiosk_category(operator: User) -> str:
    """The operator's kiosk category (A, B or C) — it decides the kiosk's commission share.
    Read without a status check: a payment taken at an active kiosk is still posted (by the
    worker) if the kiosk is suspended meanwhile."""
    return category_of(operator)


def _cause(number: str) -> Cause:
    return Cause("billpay.billpayment", number)


# --- input ---------------------------------------------------------------------------------


def biller_by_code(code: str) -> Biller:
    # The inner join to the catalog leaves out a biller whose service is not imported yet.
    biller = Biller.objects.select_related("service").filter(code=code, is_active=True).first()
    if biller is None:
        raise UnknownBiller()
    return biller


def clean_consumer(biller: Biller, raw: str) -> str:
    """The consumer number without spaces or hyphens, if it has the biller's format — checked
    before any call reaches the biller."""
    consumer = re.sub(r"[\s-]", "", raw or "").translate(_DEVANAGARI_DIGITS)
    if not biller.consumer_matches(consumer):
        raise InvalidConsumerNumber(biller.consumer_label, biller.consumer_example)
    return consumer


def clean_mobile(raw: str) -> str:
    digits = re.sub(r"[\s-]", "", raw or "")
    if digits.startswith("+91") and len(digits) == 13:
        digits = digits[3:]
    if digits and not _MOBILE.match(digits):
        raise InvalidMobile()
    return digits


def check_amount(biller: Biller, *, bill: int, amount: int) -> None:
    """The biller's amount rules: at least its minimum; the full bill unless part payment is
    allowed; never above the bill unless it takes advance payments (recharges)."""
    if amount < biller.min_amount:
        raise AmountBelowMinimum(format_inr(biller.min_amount))
    if biller.overpayment:
        return
    if amount > bill:
        raise AmountAboveBill(format_inr(bill))
    if not biller.part_payment and amount != bill:
        raise PartPaymentNotAllowed(format_inr(bill))


def _operator(user: User) -> User:
    """A kiosk operator at an active kiosk (a suspended one may not take money)."""
    if user.role != Role.OPERATOR:
        raise PermissionDenied("billpay.not_operator", _("Only kiosk operators pay bills."))
    serving_kiosk(user)
    return user


def _online(user: User) -> bool:
    """A payment made by a citizen on the portal (no kiosk, no wallet): its payer is the
    citizen, its channel the portal, and a failure is refunded to the citizen."""
    return user.role == Role.CITIZEN


# --- fetch -----------------------------------------------------------------------------------


def fetch_bill(*, operator: User, biller: Biller, consumer: str) -> FetchedBill:
    """Ask the biller for the consumer's bill (outside any transaction) and keep what it said."""
    _operator(operator)
    return _fetch(operator, biller, consumer)


def fetch_bill_online(*, citizen: User, biller: Biller, consumer: str) -> FetchedBill:
    """A citizen looks up their own bill on the portal (paid then by `pay_bill_online`)."""
    if not _online(citizen) or not citizen.is_active:
        raise PermissionDenied("billpay.not_citizen", _("Only citizens pay bills online."))
    return _fetch(citizen, biller, consumer)


def _fetch(user: User, biller: Biller, consumer: str) -> FetchedBill:
    consumer = clean_consumer(biller, consumer)
    details = adapter_for(biller.adapter).fetch_bill(biller=biller.remote_code, consumer=consumer)
    with transaction.atomic():
        fetched = FetchedBill.objects.create(
            biller=biller,
            operator=user,
            consumer=consumer,
            customer_name=details.customer_name,
            bill_number=details.bill_number,
            bill_date=details.bill_date,
            due_date=details.due_date,
            amount=details.amount,
        )
    return fetched


def latest_fetch(*, operator: User, biller: Biller, consumer: str) -> FetchedBill | None:
    return (
        FetchedBill.objects.filter(
            operator=operator,
            biller=biller,
            consumer=consumer,
            fetched_at__gte=timezone.now() - FETCH_FRESH,
        )
        .order_by("-fetched_at", "-id")
        .first()
    )


@dataclass(frozen=True)
class Earlier:
    """What the counter should know before paying: a payment in flight, a recent one."""

    pending: BillPayment | None
    recent: BillPayment | None


def earlier_payments(*, biller: Biller, consumer: str) -> Earlier:
    pending = BillPayment.objects.filter(
        biller=biller, consumer=consumer, state=PaymentState.PENDING
    ).first()
    recent = (
        BillPayment.objects.filter(
            biller=biller,
            consumer=consumer,
            state=PaymentState.SUCCESS,
            completed_at__gte=timezone.now() - RECENT,
        )
        .order_by("-completed_at")
        .first()
    )
    return Earlier(pending=pending, recent=recent)


def price(*, operator: User, biller: Biller, amount: int, at: object = None) -> Quote:
    """What the payment costs (the catalog's quote): at the counter on the kiosk channel, for
    a citizen paying online on the portal channel (no kiosk share)."""
    if _online(operator):
        return quote(
            service=biller.service,
            amount=Paise(amount),
            channel=Channel.PORTAL,
            kiosk_category="",
            at=at,  # type: ignore[arg-type]
        )
    return quote(
        service=biller.service,
        amount=Paise(amount),
        channel=CHANNEL,
        kiosk_category=_kiosk_category(operator),
        at=at,  # type: ignore[arg-type]
    )


# --- pay -------------------------------------------------------------------------------------


@transaction.atomic
def pay_bill(
    *,
    operator: User,
    biller: Biller,
    consumer: str,
    amount: int,
    key: str,
    mobile: str = "",
    pay_again: bool = False,
) -> BillPayment:
    """Hold the money and queue the biller call; the same key again returns the same payment.

    The biller is called by the worker after this commits, so a crash here leaves either
    nothing or a held payment the saga resolves — never a debit without a receipt."""
    _operator(operator)
    consumer = clean_consumer(biller, consumer)
    mobile = clean_mobile(mobile)
    if not _KEY.match(key or ""):
        raise InvalidInput("billpay.key", _("This form has expired. Please start again."))
    digest = request_hash(
        {"biller": biller.code, "consumer": consumer, "amount": amount, "mobile": mobile}
    )
    earlier = BillPayment.objects.filter(operator=operator, key=key).first()
    if earlier is not None:
        if earlier.request_hash != digest:
            raise PaymentKeyReused()
        return earlier
    fetched = latest_fetch(operator=operator, biller=biller, consumer=consumer)
    if fetched is None:
        raise FetchFirst()
    check_amount(biller, bill=fetched.amount, amount=amount)
    seen = earlier_payments(biller=biller, consumer=consumer)
    if seen.pending is not None:
        raise PaymentInProgress(seen.pending.number)
    if seen.recent is not None and not pay_again:
        assert seen.recent.completed_at is not None
        raise RecentlyPaid(seen.recent.number, format_ist(seen.recent.completed_at))
    wallet = ledger_selectors.wallet_of(operator.pk)
    if wallet is None:
        raise InsufficientFunds("")
    return _hold_and_queue(
        payer=operator,
        account=wallet,
        fetched=fetched,
        amount=amount,
        key=key,
        digest=digest,
        mobile=mobile,
        online=False,
    )


def _hold_and_queue(
    *,
    payer: User,
    account: Account,
    fetched: FetchedBill,
    amount: int,
    key: str,
    digest: str,
    mobile: str,
    online: bool,
) -> BillPayment:
    """The common half of paying at the counter and online: price, hold the money on
    `account`, record the payment and queue the biller call — in the caller's transaction."""
    biller, consumer = fetched.biller, fetched.consumer
    priced = price(operator=payer, biller=biller, amount=amount)
    now = timezone.now()
    number = next_number(SERIES, at=now).text
    hold = ledger.hold(
        account=account,
        amount=priced.total_citizen,
        scope=SCOPE,
        key=number,
        expires_in=HOLD_TTL,
        cause=_cause(number),
        actor_id=payer.pk,
    )
    try:
        with transaction.atomic():
            payment = BillPayment.objects.create(
                number=number,
                operator=payer,
                wallet=account,
                hold=hold,
                biller=biller,
                consumer=consumer,
                customer_name=fetched.customer_name,
                bill_number=fetched.bill_number,
                bill_amount=fetched.amount,
                amount=amount,
                service_charge=priced.service_charge if priced.charge_payer == "citizen" else 0,
                total=priced.total_citizen,
                kiosk_category="" if online else priced.kiosk_category,
                priced_at=priced.at,
                mobile=mobile,
                key=key,
                request_hash=digest,
                deadline_at=now + timedelta(seconds=settings.BILLPAY_DEADLINE_SECONDS),
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        # Another counter started paying the same bill a moment ago (the partial unique index).
        raise PaymentInProgress(consumer) from None
    after = {"number": number, "biller": biller.code, "consumer": consumer, "amount": amount}
    after["total"] = payment.total
    if online:
        after["channel"] = Channel.PORTAL.value
    else:
        after["mobile"] = mask_mobile(mobile) if mobile else ""
    audit.record(
        actor=payer,
        action="billpay.pay_online" if online else "billpay.pay",
        obj=payment,
        after=after,
    )
    outbox.enqueue("billpay.call_biller", payment=number)
    log.info("billpay.pending", number=number, biller=biller.code, amount=amount, online=online)
    return payment


# --- online (citizen portal) -------------------------------------------------------------------

ONLINE_ACCOUNT_OWNER = "accounts.user.online"
REFUND_SCOPE = "billpay-refund"
CITIZEN_REFUNDS = "refunds:citizen"


def online_account(citizen: User) -> Account:
    """The citizen's online-payment account (floor 0): what the gateway collected for a bill
    waits here, held, while the biller is asked — the saga needs a limited account to hold on,
    as a kiosk wallet is at the counter. It is empty whenever no payment is in flight."""
    return ledger.open_account(
        code=f"online:user:{citizen.pk}",
        kind=AccountKind.GATEWAY_CLEARING,
        name=f"Online payments of citizen {citizen.pk}",
        floor=0,
        owner_type=ONLINE_ACCOUNT_OWNER,
        owner_id=str(citizen.pk),
    )


def citizen_refunds() -> Account:
    """Refunds owed to citizens whose online payment did not reach the biller (hot): the
    gateway simulator has no refund API, so the liability is recorded here and paid out by
    the finance team (its balance is what is still owed)."""
    return ledger.open_account(
        code=CITIZEN_REFUNDS, kind=AccountKind.SUSPENSE, name="Refunds due to citizens"
    )


def refund_online(*, account: Account, amount: int, key: str, cause: Cause) -> None:
    """Move money a citizen paid online, not spent, to the refunds owed (idempotent on key)."""
    ledger.transfer(
        legs=[ledger.Leg(account, citizen_refunds(), amount)],
        kind="refund_due",
        scope=REFUND_SCOPE,
        key=key,
        cause=cause,
        memo=f"refund due {key}",
    )


@transaction.atomic
def pay_bill_online(
    *,
    citizen: User,
    fetched: FetchedBill,
    amount: int,
    key: str,
    mobile: str = "",
) -> BillPayment:
    """Start the saga for a bill a citizen has already paid through the gateway: the money is
    in the citizen's online account (credited from gateway clearing by the caller); hold it
    and queue the biller call exactly as `pay_bill` does for a wallet. The same key again
    returns the same payment. A refusal (a payment in flight for the bill, the amount rules)
    raises before anything is written — the caller then refunds."""
    if not _online(citizen) or fetched.operator_id != citizen.pk:
        raise PermissionDenied("billpay.not_citizen", _("Only citizens pay bills online."))
    biller = fetched.biller
    consumer = fetched.consumer
    mobile = clean_mobile(mobile)
    if not _KEY.match(key or ""):
        raise InvalidInput("billpay.key", _("This form has expired. Please start again."))
    digest = request_hash(
        {"biller": biller.code, "consumer": consumer, "amount": amount, "mobile": mobile}
    )
    earlier = BillPayment.objects.filter(operator=citizen, key=key).first()
    if earlier is not None:
        if earlier.request_hash != digest:
            raise PaymentKeyReused()
        return earlier
    check_amount(biller, bill=fetched.amount, amount=amount)
    seen = earlier_payments(biller=biller, consumer=consumer)
    if seen.pending is not None:
        raise PaymentInProgress(seen.pending.number)
    return _hold_and_queue(
        payer=citizen,
        account=online_account(citizen),
        fetched=fetched,
        amount=amount,
        key=key,
        digest=digest,
        mobile=mobile,
        online=True,
    )


# --- the worker's side ----------------------------------------------------------------------


def _adapter(payment: BillPayment) -> object:
    return adapter_for(payment.biller.adapter)


def send_to_biller(*, number: str) -> BillPayment:
    """Send the payment to the biller (again, if need be: it is idempotent on our number)."""
    payment = BillPayment.objects.select_related("biller").get(number=number)
    if payment.is_final or payment.needs_attention:
        return payment
    answer = adapter_for(payment.biller.adapter).pay(
        biller=payment.biller.remote_code,
        consumer=payment.consumer,
        amount=payment.amount,
        reference=payment.number,
    )
    return apply_answer(payment, answer)


def check_with_biller(*, number: str, poll: int) -> BillPayment:
    """One status check of a payment whose outcome is not known yet; past the deadline the
    payment is cancelled at the biller instead. A check that is not the latest scheduled one
    (a duplicate), or of a payment referred to staff, does nothing. A payment whose hold nears
    its expiry is referred to staff instead of being checked again."""
    payment = BillPayment.objects.select_related("biller").get(number=number)
    if payment.is_final or payment.polls != poll or payment.needs_attention:
        return payment
    if timezone.now() >= _refer_by(payment):
        flag_for_attention(payment=payment, reason=AttentionReason.HOLD_EXPIRING)
        return BillPayment.objects.get(pk=payment.pk)
    adapter = adapter_for(payment.biller.adapter)
    if timezone.now() >= payment.deadline_at:
        answer = adapter.cancel(reference=number)
        if answer.outcome == "not_found":
            answer = BillerAnswer.unknown("cancel: not found")
        return apply_answer(payment, answer, cancelling=True)
    answer = adapter.status(reference=number)
    if answer.outcome == "not_found":
        # The payment never reached the biller (a timeout before it arrived, a 5xx): send it.
        answer = adapter.pay(
            biller=payment.biller.remote_code,
            consumer=payment.consumer,
            amount=payment.amount,
            reference=number,
        )
    return apply_answer(payment, answer)


def apply_answer(
    payment: BillPayment, answer: BillerAnswer, *, cancelling: bool = False
) -> BillPayment:
    if answer.outcome == "success":
        return complete_payment(number=payment.number, biller_txn_id=answer.biller_txn_id)
    if answer.outcome == "failed":
        return close_payment(
            number=payment.number,
            state=PaymentState.FAILED,
            reason=answer.reason or str(_("Declined by the biller.")),
        )
    if answer.outcome == "cancelled":
        return close_payment(
            number=payment.number,
            state=PaymentState.REVERSED,
            reason=str(_("The biller did not confirm in time; cancelled and refunded.")),
        )
    schedule_check(payment=payment, answer=answer, cancelling=cancelling)
    return BillPayment.objects.get(pk=payment.pk)


def poll_delay(polls: int) -> float:
    """Seconds before status check number `polls + 1`: doubling from BILLPAY_POLL_SECONDS,
    capped at MAX_POLL_DELAY."""
    return float(min(settings.BILLPAY_POLL_SECONDS * 2**polls, MAX_POLL_DELAY))


@transaction.atomic
def schedule_check(*, payment: BillPayment, answer: BillerAnswer, cancelling: bool = False) -> bool:
    """Queue the next status check; only one of two racing schedulers wins (polls counter).
    An unanswered cancel counts; after BILLPAY_CANCEL_ATTEMPTS of them the payment is referred
    to staff instead, and polling stops."""
    attempts = payment.cancel_attempts + (1 if cancelling else 0)
    if cancelling and attempts >= conf.cancel_attempts():
        return flag_for_attention(
            payment=payment,
            reason=AttentionReason.CANCEL_UNANSWERED,
            detail=answer.reason,
            cancel_attempts=attempts,
        )
    delay = poll_delay(payment.polls)
    moved = BillPayment.objects.filter(
        pk=payment.pk, state=PaymentState.PENDING, polls=payment.polls, attention_since=None
    ).update(
        polls=F("polls") + 1,
        cancel_attempts=attempts,
        biller_status=answer.outcome,
        updated_at=timezone.now(),
    )
    if moved != 1:
        return False
    outbox.enqueue(
        "billpay.check_status",
        delay=timedelta(seconds=delay),
        payment=payment.number,
        poll=payment.polls + 1,
    )
    log.info("billpay.unknown", number=payment.number, reason=answer.reason, poll=payment.polls + 1)
    return True


def _locked(number: str) -> BillPayment:
    """The payment row alone, locked (not the joined wallet or operator rows: a counter's
    `pay_bill` locks the wallet first and then references the operator, so locking those here
    too would deadlock with it)."""
    return (
        BillPayment.objects.select_for_update(no_key=True, of=("self",))
        .select_related("biller", "operator", "wallet")
        .get(number=number)
    )


@transaction.atomic
def complete_payment(*, number: str, biller_txn_id: str) -> BillPayment:
    """The biller confirmed: post the hold with its legs and commission, exactly once."""
    payment = _locked(number)
    if payment.state != PaymentState.PENDING:
        if payment.state != PaymentState.SUCCESS:
            # Confirmed after we gave the money back: the biller must refund; staff must know.
            audit.record(
                actor=None,
                action="billpay.confirmed_after_close",
                obj=payment,
                after={"state": payment.state, "biller_txn_id": biller_txn_id},
            )
            log.error("billpay.confirmed_after_close", number=number, state=payment.state)
        return payment
    return _settle_paid(
        payment,
        hold=Hold.objects.get(pk=payment.hold_id),
        biller_txn_id=biller_txn_id,
        actor=None,
        action="billpay.success",
        note={},
    )


def _settle_paid(
    payment: BillPayment,
    *,
    hold: Hold,
    biller_txn_id: str,
    actor: User | None,
    action: str,
    note: dict[str, object],
) -> BillPayment:
    """Post `hold` with the payment's legs and commission and mark it paid (caller holds the
    payment's row lock, in its transaction)."""
    number = payment.number
    priced = price(
        operator=payment.operator,
        biller=payment.biller,
        amount=payment.amount,
        at=payment.priced_at,
    )
    line = post_service_payment(
        operator=payment.operator,
        wallet=payment.wallet,
        hold=hold,
        quote=priced,
        scope=SCOPE,
        key=number,
        cause=_cause(number),
    )
    now = timezone.now()
    moved = BillPayment.objects.filter(pk=payment.pk, state=PaymentState.PENDING).update(
        state=PaymentState.SUCCESS,
        journal_transaction_id=line.transaction_id,
        biller_txn_id=biller_txn_id[:64],
        biller_status="success",
        updated_at=now,
        completed_at=now,
    )
    if moved != 1:
        raise ConcurrentChange(number)
    payment.refresh_from_db()
    audit.record(
        actor=actor,
        action=action,
        obj=payment,
        after={
            "number": number,
            "biller_txn_id": biller_txn_id,
            "transaction": line.transaction_id,
            **note,
        },
    )
    _notify(payment)
    log.info(action, number=number)
    return payment


@transaction.atomic
def close_payment(*, number: str, state: PaymentState, reason: str) -> BillPayment:
    """The biller declined, or the payment was cancelled there: give the money back."""
    payment = _locked(number)
    if payment.state != PaymentState.PENDING:
        return payment
    return _settle_closed(
        payment, state=state, reason=reason, actor=None, action=f"billpay.{state}", note={}
    )


def _settle_closed(
    payment: BillPayment,
    *,
    state: PaymentState,
    reason: str,
    actor: User | None,
    action: str,
    note: dict[str, object],
) -> BillPayment:
    """Void the hold (a lapsed one is already given back), refund an online payer, and mark
    the payment `state` (caller holds the payment's row lock, in its transaction)."""
    number = payment.number
    ledger.void_hold(
        hold=Hold.objects.get(pk=payment.hold_id), actor_id=actor.pk if actor else None
    )
    if _online(payment.operator):
        # Paid online: the money goes back to the citizen, recorded as a refund owed.
        refund_online(
            account=payment.wallet, amount=payment.total, key=number, cause=_cause(number)
        )
    now = timezone.now()
    moved = BillPayment.objects.filter(pk=payment.pk, state=PaymentState.PENDING).update(
        state=state,
        failure_reason=reason[:200],
        biller_status="failed" if state == PaymentState.FAILED else "cancelled",
        updated_at=now,
        completed_at=now,
    )
    if moved != 1:
        raise ConcurrentChange(number)
    payment.refresh_from_db()
    audit.record(actor=actor, action=action, obj=payment, after={"reason": reason, **note})
    _notify(payment)
    log.info(action, number=number)
    return payment


# --- payments the biller cannot settle: referred to staff ------------------------------------


def _hold_expires_at(payment: BillPayment) -> datetime:
    return Hold.objects.values_list("expires_at", flat=True).get(pk=payment.hold_id)


def _refer_by(payment: BillPayment) -> datetime:
    """When an unresolved payment must be with staff: well before its hold lapses."""
    return _hold_expires_at(payment) - conf.attention_before_hold_expiry()


@transaction.atomic
def flag_for_attention(
    *,
    payment: BillPayment,
    reason: AttentionReason,
    detail: str = "",
    cancel_attempts: int | None = None,
) -> bool:
    """Stop polling a pending payment and list it for staff (state and district admins), with
    why in its audit entry. Conditional on the poll it was read at, so a stale check or a
    second sweep does nothing; the hold stays open for staff to post or void, extended to
    `conf.attention_hold()` so that it does not lapse while they decide."""
    now = timezone.now()
    changes: dict[str, object] = {
        "attention_since": now,
        "attention_reason": reason,
        "polls": F("polls") + 1,  # any check still queued is now stale
        "updated_at": now,
    }
    if cancel_attempts is not None:
        changes["cancel_attempts"] = cancel_attempts
    moved = BillPayment.objects.filter(
        pk=payment.pk, state=PaymentState.PENDING, polls=payment.polls, attention_since=None
    ).update(**changes)
    if moved != 1:
        return False
    try:
        held_until = ledger.extend_hold(
            hold=Hold.objects.get(pk=payment.hold_id),
            until=now + conf.attention_hold(),
            reason=f"bill payment {payment.number} referred to staff",
        ).expires_at
    except HoldResolved:  # lapsed already: the list says so, and staff decide all the same
        held_until = _hold_expires_at(payment)
    audit.record(
        actor=None,
        action="billpay.needs_attention",
        obj=payment,
        after={
            "reason": str(reason),
            "detail": detail[:200],
            "cancel_attempts": payment.cancel_attempts
            if cancel_attempts is None
            else cancel_attempts,
            "polls": payment.polls,
            "hold_expires_at": held_until.isoformat(),
        },
    )
    log.error("billpay.needs_attention", number=payment.number, reason=str(reason))
    return True


def refer_payments_near_hold_expiry(*, now: datetime | None = None, limit: int = 200) -> int:
    """Flag every pending payment whose hold lapses within the margin and that nobody has
    referred yet — also one whose status checks stopped (a dead outbox message). Run by the
    worker every few minutes; the hold must never expire unnoticed under a payment."""
    cutoff = (now or timezone.now()) + conf.attention_before_hold_expiry()
    holds = Hold.objects.filter(scope=SCOPE, state=HoldState.OPEN, expires_at__lte=cutoff).values(
        "pk"
    )
    due = BillPayment.objects.filter(
        state=PaymentState.PENDING, attention_since=None, hold_id__in=holds
    ).order_by("created_at")[:limit]
    return sum(
        1
        for payment in due
        if flag_for_attention(payment=payment, reason=AttentionReason.HOLD_EXPIRING)
    )


def district_of(payment: BillPayment) -> int | None:
    """The district of the kiosk the payment was taken at (None: paid online)."""
    return (
        Kiosk.objects.filter(operator_id=payment.operator_id)
        .values_list("district_id", flat=True)
        .first()
    )


def _check_resolver(actor: User, payment: BillPayment) -> None:
    if actor.role == Role.STATE_ADMIN:
        return
    if actor.role != Role.DISTRICT_ADMIN:
        raise NotAllowedToResolve()
    if actor.district_id is None or district_of(payment) != actor.district_id:
        raise OutOfDistrict()


def _awaiting_staff(actor: User, number: str, reason: str) -> tuple[BillPayment, str]:
    reason = (reason or "").strip()[:200]
    payment = _locked(number)
    _check_resolver(actor, payment)
    if not payment.needs_attention:
        raise NotAwaitingStaff(number)
    if not reason:
        raise ResolutionReasonRequired()
    return payment, reason


@transaction.atomic
def resolve_paid(*, actor: User, number: str, reason: str, biller_txn_id: str = "") -> BillPayment:
    """Staff found that the biller has the money: post the hold as the biller's confirmation
    would. If the hold has lapsed meanwhile (staff acted after its expiry), the money went back
    to the wallet, so it is held again and posted at once — refused, with nothing changed, when
    the wallet no longer has it."""
    payment, reason = _awaiting_staff(actor, number, reason)
    hold = Hold.objects.get(pk=payment.hold_id)
    note: dict[str, object] = {"reason": reason, "resolved_by": actor.pk}
    if hold.state == HoldState.OPEN and hold.expires_at <= timezone.now():
        hold = ledger.void_hold(hold=hold, actor_id=actor.pk, expired=True)
    if hold.state != HoldState.OPEN:
        note["lapsed_hold"] = hold.pk
        hold = ledger.hold(
            account=payment.wallet,
            amount=payment.total,
            scope=SCOPE,
            key=f"{number}-staff",
            expires_in=HOLD_TTL,
            cause=_cause(number),
            actor_id=actor.pk,
        )
        BillPayment.objects.filter(pk=payment.pk).update(hold=hold)
        payment.hold = hold
    return _settle_paid(
        payment,
        hold=hold,
        biller_txn_id=(biller_txn_id or "").strip(),
        actor=actor,
        action="billpay.resolved_paid",
        note=note,
    )


@transaction.atomic
def resolve_failed(*, actor: User, number: str, reason: str) -> BillPayment:
    """Staff found that the biller never took the payment: give the money back (void the
    hold; a lapsed hold has already given it back) and mark the payment failed."""
    payment, reason = _awaiting_staff(actor, number, reason)
    return _settle_closed(
        payment,
        state=PaymentState.FAILED,
        reason=reason,
        actor=actor,
        action="billpay.resolved_failed",
        note={"resolved_by": actor.pk},
    )


def _notify(payment: BillPayment) -> None:
    """The citizen's SMS with the official amount and the receipt number (DESIGN.md §4)."""
    if not payment.mobile:
        return
    outbox.enqueue(
        "notifications.sms",
        to=payment.mobile,
        template="bill_paid" if payment.state == PaymentState.SUCCESS else "bill_not_paid",
        params={
            "amount": format_inr(payment.total, language="en"),
            "biller": payment.biller.name_en,
            "biller_hi": payment.biller.name_hi,
            "consumer": payment.consumer,
            "number": payment.number,
            "feedback": f"{settings.BILLPAY_VERIFY_ORIGIN}/feedback/{payment.number}/",
        },
    )
