"""Paying a bill online: the gateway collects the money, then billpay's saga takes it to the
biller (DESIGN.md §4) — no kiosk wallet involved.

1. `start_bill_payment` commits an OnlineBill (created), asks the gateway for an order outside
   any transaction (idempotent on our number, like top-ups) and records it (pending).
2. The gateway's signed callback (`handle_callback`) or a status check (`check_status`) says
   *paid*: in one transaction, under the row lock, the money moves gateway clearing → the
   citizen's online account (keyed by our number) and `billpay.services.pay_bill_online`
   holds it and queues the biller call. If the bill cannot be started (someone is paying the
   same bill right now, the amount rules changed), the money is moved on to the refunds owed
   to citizens instead — recorded in the ledger, never lost.
3. The saga ends as at the counter: success posts the hold to the department; a biller
   failure voids it and billpay records the refund owed (`billpay.services.refund_online`).

Every path that credits goes through `_apply`, which does nothing unless the order is still
open, and every posting is keyed, so a replayed callback changes nothing.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import structlog
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.billpay import services as billpay
from emitra.billpay.errors import PaymentInProgress
from emitra.billpay.models import Biller, FetchedBill
from emitra.core import audit
from emitra.core.errors import DomainError
from emitra.core.ids import next_number
from emitra.ledger import chart
from emitra.ledger import services as ledger
from emitra.payments import gateway
from emitra.payments.errors import GatewayUnavailable
from emitra.payments.models import CallbackOutcome, GatewayCallback
from emitra.portal.errors import BillNotFetched, InvalidRequestKey, NotACitizen, OrderKeyReused
from emitra.portal.models import FINAL_STATES, OPEN_STATES, OnlineBill, OnlineState

log = structlog.get_logger(__name__)

SERIES = "OBP"  # online bill payment orders: OBP-2026-27-000000001
LEDGER_SCOPE = "portal"
MAX_CALLBACK_BYTES = 16 * 1024
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,100}$")


def _citizen(user: User) -> User:
    if user.role != Role.CITIZEN or not user.is_active:
        raise NotACitizen()
    return user


def fetch_bill(*, citizen: User, biller: Biller, consumer: str) -> FetchedBill:
    """The citizen looks up their bill (billpay asks the biller, outside any transaction)."""
    return billpay.fetch_bill_online(citizen=_citizen(citizen), biller=biller, consumer=consumer)


def fetched_bill(*, citizen: User, fetched_id: int) -> FetchedBill:
    """One of the citizen's own recent look-ups (another's is as unknown as a missing one)."""
    found = (
        FetchedBill.objects.select_related("biller", "biller__service")
        .filter(
            pk=fetched_id,
            operator=citizen,
            fetched_at__gte=timezone.now() - billpay.FETCH_FRESH,
        )
        .first()
    )
    if found is None:
        raise BillNotFetched()
    return found


@transaction.atomic
def create_order(
    *, citizen: User, fetched: FetchedBill, amount: int, key: str, mobile: str = ""
) -> OnlineBill:
    """Step 1: the OnlineBill row, committed before the gateway hears of it. Idempotent on
    (citizen, key); the bill's rules (amount, a payment already in flight) are checked here
    so a citizen is not sent to pay for a bill that would be refused."""
    _citizen(citizen)
    if not _KEY.match(key or ""):
        raise InvalidRequestKey()
    if fetched.operator_id != citizen.pk:
        raise BillNotFetched()
    mobile = billpay.clean_mobile(mobile or citizen.mobile or "")
    earlier = OnlineBill.objects.filter(citizen=citizen, key=key).first()
    if earlier is not None:
        if earlier.fetched_id != fetched.pk or earlier.amount != amount:
            raise OrderKeyReused()
        return earlier
    biller = fetched.biller
    billpay.check_amount(biller, bill=fetched.amount, amount=amount)
    seen = billpay.earlier_payments(biller=biller, consumer=fetched.consumer)
    if seen.pending is not None:
        raise PaymentInProgress(seen.pending.number)
    priced = billpay.price(operator=citizen, biller=biller, amount=amount)
    try:
        with transaction.atomic():
            order = OnlineBill.objects.create(
                number=next_number(SERIES).text,
                citizen=citizen,
                fetched=fetched,
                biller=biller,
                consumer=fetched.consumer,
                amount=amount,
                total=priced.total_citizen,
                mobile=mobile,
                key=key,
            )
    except IntegrityError:
        raise OrderKeyReused() from None
    audit.record(
        actor=citizen,
        action="portal.bill_order_created",
        obj=order,
        after={"number": order.number, "biller": biller.code, "total": order.total},
    )
    return order


def start_bill_payment(
    *,
    citizen: User,
    fetched: FetchedBill,
    amount: int,
    key: str,
    site_url: str,
    mobile: str = "",
) -> OnlineBill:
    """Create the order, ask the gateway for its payment page, record it. Not one transaction
    on purpose (no HTTP call inside one); resubmitting the same form resumes it."""
    order = create_order(citizen=citizen, fetched=fetched, amount=amount, key=key, mobile=mobile)
    if order.state != OnlineState.CREATED:
        return order
    answer = gateway.create_order(
        merchant_order_id=order.number,
        amount=order.total,
        return_url=site_url + reverse("portal:bill", args=[order.number]),
        callback_url=site_url + reverse("portal:gateway_callback"),
    )
    return record_order(order=order, answer=answer)


def _locked(pk: int) -> OnlineBill:
    return OnlineBill.objects.select_for_update().get(pk=pk)


@transaction.atomic
def record_order(*, order: OnlineBill, answer: gateway.GatewayOrder) -> OnlineBill:
    current = _locked(order.pk)
    if answer.merchant_order_id != current.number:
        raise GatewayUnavailable(f"answer for {answer.merchant_order_id}, not {current.number}")
    if current.state == OnlineState.CREATED:
        OnlineBill.objects.filter(pk=current.pk, state=OnlineState.CREATED).update(
            state=OnlineState.PENDING,
            gateway_order_id=answer.order_id,
            payment_url=answer.payment_url[:500],
            gateway_status=answer.status[:20],
            updated_at=timezone.now(),
        )
        current.refresh_from_db()
    if answer.status in ("paid", "failed", "expired"):
        _apply(current, status=answer.status, amount=answer.amount)
    current.refresh_from_db()
    return current


def _apply(current: OnlineBill, *, status: str, amount: int) -> CallbackOutcome:
    """One word from the gateway about a locked order; the first final state wins."""
    now = timezone.now()
    if status not in ("paid", "failed", "expired"):
        OnlineBill.objects.filter(pk=current.pk).update(gateway_status=status[:20])
        return CallbackOutcome.IGNORED
    if amount != current.total:
        OnlineBill.objects.filter(pk=current.pk).update(flagged=True, updated_at=now)
        log.warning("portal.amount_mismatch", number=current.number, amount=amount)
        return CallbackOutcome.AMOUNT_MISMATCH
    if current.state in FINAL_STATES:
        same = (status == "paid") == (current.state != OnlineState.FAILED)
        if not same:
            OnlineBill.objects.filter(pk=current.pk).update(flagged=True, updated_at=now)
            return CallbackOutcome.CONTRADICTION
        return CallbackOutcome.DUPLICATE
    if status != "paid":
        OnlineBill.objects.filter(pk=current.pk, state=current.state).update(
            state=OnlineState.FAILED,
            gateway_status=status,
            failure_reason=str(status),
            completed_at=now,
            updated_at=now,
        )
        audit.record(actor=None, action="portal.bill_order_failed", obj=current)
        return CallbackOutcome.FAILED
    citizen = current.citizen
    account = billpay.online_account(citizen)
    cause = ledger.Cause("portal.onlinebill", current.number)
    ledger.transfer(
        legs=[ledger.Leg(chart.gateway_clearing(), account, current.total)],
        kind="online_payment",
        scope=LEDGER_SCOPE,
        key=current.number,
        cause=cause,
        actor_id=citizen.pk,
        memo=f"{current.number} {current.gateway_order_id}",
    )
    changes: dict[str, Any] = {"gateway_status": "paid", "completed_at": now, "updated_at": now}
    try:
        with transaction.atomic():
            priced = billpay.price(operator=citizen, biller=current.biller, amount=current.amount)
            if priced.total_citizen != current.total:
                raise OrderKeyReused()  # the price changed while the citizen paid: refund
            payment = billpay.pay_bill_online(
                citizen=citizen,
                fetched=current.fetched,
                amount=current.amount,
                key=current.number,
                mobile=current.mobile,
            )
    except DomainError as exc:
        billpay.refund_online(
            account=account, amount=current.total, key=current.number, cause=cause
        )
        changes |= {"state": OnlineState.REFUNDED, "failure_reason": str(exc.message)[:200]}
        action = "portal.bill_order_refunded"
    else:
        changes |= {"state": OnlineState.PAID, "bill_payment": payment}
        action = "portal.bill_order_paid"
    OnlineBill.objects.filter(pk=current.pk, state=current.state).update(**changes)
    audit.record(
        actor=None,
        actor_label="payment gateway",
        action=action,
        obj=current,
        after={"number": current.number, "total": current.total},
    )
    return CallbackOutcome.CREDITED


# --- callbacks and status checks -----------------------------------------------------------


def _log(
    raw_body: bytes, signature: str, *, valid: bool, outcome: str, event: dict[str, Any]
) -> None:
    """Kept beside the top-ups' callbacks (payments.GatewayCallback): one trail per gateway."""
    GatewayCallback.objects.create(
        raw_body=raw_body[:MAX_CALLBACK_BYTES].decode("utf-8", "replace"),
        signature=signature[:200],
        signature_valid=valid,
        event_id=str(event.get("event_id") or "")[:64],
        order_id=str(event.get("order_id") or "")[:64],
        status=str(event.get("status") or "")[:20],
        outcome=outcome,
        detail=f"portal {event.get('merchant_order_id', '')}"[:300],
    )


@transaction.atomic
def handle_callback(*, raw_body: bytes, signature: str) -> CallbackOutcome:
    """The gateway's signed callback for an online bill: forged or malformed ones change
    nothing; a replay is a duplicate."""
    if len(raw_body) > MAX_CALLBACK_BYTES or not gateway.signature_matches(raw_body, signature):
        _log(raw_body, signature, valid=False, outcome=CallbackOutcome.FORGED, event={})
        log.warning("portal.callback_forged")
        return CallbackOutcome.FORGED
    event = gateway.parse_callback(raw_body)
    if event is None:
        _log(raw_body, signature, valid=True, outcome=CallbackOutcome.MALFORMED, event={})
        return CallbackOutcome.MALFORMED
    rows = OnlineBill.objects.select_for_update()
    order = (
        rows.filter(gateway_order_id=event["order_id"]).first()
        or rows.filter(
            number=event["merchant_order_id"], gateway_order_id__in=["", event["order_id"]]
        ).first()
    )
    if order is None:
        _log(raw_body, signature, valid=True, outcome=CallbackOutcome.UNKNOWN_ORDER, event=event)
        return CallbackOutcome.UNKNOWN_ORDER
    if not order.gateway_order_id:
        OnlineBill.objects.filter(pk=order.pk).update(gateway_order_id=event["order_id"])
    outcome = _apply(order, status=event["status"], amount=event["amount_paise"])
    _log(raw_body, signature, valid=True, outcome=outcome, event=event)
    return outcome


def check_status(*, order: OnlineBill) -> OnlineBill:
    """Ask the gateway about an open order now (its callback may be late or lost)."""
    if not order.is_open:
        return order
    if order.gateway_order_id:
        answer: gateway.GatewayOrder | None = gateway.get_order(order.gateway_order_id)
    else:
        answer = gateway.find_order(order.number)
    if answer is None:
        return order
    return record_order(order=order, answer=answer)


RECONCILE_AFTER = timedelta(minutes=2)


def reconcile_pending(*, older_than: timedelta = RECONCILE_AFTER, limit: int = 200) -> int:
    """Settle online bills still open `older_than` after they started (their callback never
    came) from the gateway's status API; an unreachable gateway is tried again next run.
    Returns how many were settled."""
    cutoff = timezone.now() - older_than
    due = list(OnlineBill.objects.filter(state__in=OPEN_STATES, created_at__lte=cutoff)[:limit])
    settled = 0
    for order in due:
        try:
            after = check_status(order=order)
        except GatewayUnavailable as exc:
            log.warning("portal.reconcile_unreachable", number=order.number, detail=exc.detail)
            continue
        settled += not after.is_open
    return settled
