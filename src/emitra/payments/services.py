"""Wallet top-ups through the payment gateway: start one, take the gateway's callback, and
reconcile the ones whose callback never came.

Where the HTTP calls happen
---------------------------
No gateway call is made inside a database transaction, so a slow or dead gateway never holds
a row lock (or SQLite's one write lock). `start_topup` is three steps:

1. `create_topup` commits the TopUp (state *created*, number ``TOP-2026-27-000000001``);
2. the create-order call goes to the gateway with no transaction open, carrying our number as
   the merchant order id — the gateway is idempotent on it, so a retry (the same form
   resubmitted, or reconciliation) finds the same order instead of making a second one;
3. `record_order` commits the gateway's order id (state *pending*).

A crash or a gateway outage between 1 and 3 leaves a *created* top-up: the operator can
resubmit (same form key → same top-up) or press "Check status", and the reconciliation job
asks the gateway for our number — it records the order if the gateway has one and fails the
top-up if it never got there. The call is made in the request rather than through the outbox
because the operator is waiting for the payment page: a worker hop would add its polling delay
and a waiting page to every top-up, and buys nothing here — step 1 already committed, so a
dead request loses nothing that reconciliation cannot finish.

`reconcile_topup` likewise asks the status API first, then applies the answer in one
transaction. `handle_callback` makes no HTTP call at all.

Why a wallet is never credited twice
------------------------------------
Every path that credits — a callback, a status check, a replay or a race of the two — goes
through `_apply_status`, which runs with the TopUp row locked, does nothing unless the top-up
is still open, and posts the ledger transfer keyed by the top-up number (scope "topup"). Even
if two paths got past the state check, the ledger would hand the second one the first one's
transaction. The first final state wins; a later, contradicting word from the gateway changes
nothing and flags the top-up for review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.core import audit
from emitra.core.ids import next_number
from emitra.core.money import Paise
from emitra.ledger import chart
from emitra.ledger import selectors as ledger_selectors
from emitra.ledger import services as ledger
from emitra.ledger.models import Account
from emitra.payments import gateway
from emitra.payments.errors import (
    AmountTooLarge,
    AmountTooSmall,
    GatewayUnavailable,
    InvalidRequestKey,
    NotAnOperator,
    TopUpKeyReused,
)
from emitra.payments.models import (
    FINAL_STATES,
    OPEN_STATES,
    CallbackOutcome,
    FailureReason,
    GatewayCallback,
    SettledVia,
    TopUp,
    TopUpState,
)

log = structlog.get_logger(__name__)

MIN_TOPUP = Paise(100_00)  # ₹100
MAX_TOPUP = Paise(2_00_000_00)  # ₹2,00,000
# A top-up still open this long after it was started is asked about at the gateway.
RECONCILE_AFTER = timedelta(minutes=2)
GATEWAY_CLEARING_CODE = chart.GATEWAY_CLEARING
LEDGER_SCOPE = "topup"
MAX_CALLBACK_BYTES = 16 * 1024
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,100}$")
# What the gateway's final statuses mean for a top-up.
_FINAL = {"paid": TopUpState.PAID, "failed": TopUpState.FAILED, "expired": TopUpState.FAILED}


class ConcurrentChange(Exception):
    """A top-up changed under a row lock — a bug, never an expected outcome."""


def check_amount(amount: int) -> Paise:
    """A top-up is between ₹100 and ₹2,00,000 (refused with a translated message)."""
    if amount < MIN_TOPUP:
        raise AmountTooSmall(MIN_TOPUP)
    if amount > MAX_TOPUP:
        raise AmountTooLarge(MAX_TOPUP)
    return Paise(amount)


def ensure_wallet(*, operator: User) -> Account:
    """The operator's wallet, opened on first use (ledger.services audits the opening)."""
    if operator.role != Role.OPERATOR:
        raise NotAnOperator()
    wallet = ledger_selectors.wallet_of(operator.pk)
    if wallet is None:
        wallet = ledger.open_operator_wallet(
            user_id=operator.pk, name=operator.full_name or operator.username
        )
    return wallet


def gateway_clearing() -> Account:
    """The hot account money arrives through from the gateway (debited by each top-up)."""
    return chart.gateway_clearing()


# --- starting a top-up ---------------------------------------------------------------------------


@transaction.atomic
def create_topup(*, operator: User, amount: int, key: str) -> TopUp:
    """Step 1: the TopUp row, committed before the gateway hears of it.

    Idempotent on (operator, key): the same form submitted twice is one top-up; the same key
    with another amount is refused."""
    if not _KEY.match(key or ""):
        raise InvalidRequestKey()
    amount = check_amount(amount)
    if (earlier := TopUp.objects.filter(operator=operator, key=key).first()) is not None:
        if earlier.amount != amount:
            raise TopUpKeyReused()
        return earlier
    wallet = ensure_wallet(operator=operator)
    try:
        with transaction.atomic():  # a twin that lost the race gives its number back (gapless)
            topup = TopUp.objects.create(
                number=next_number("TOP").text,
                operator=operator,
                wallet=wallet,
                amount=amount,
                key=key,
            )
    except IntegrityError:
        earlier = TopUp.objects.filter(operator=operator, key=key).first()
        if earlier is None:
            raise
        if earlier.amount != amount:
            raise TopUpKeyReused() from None
        return earlier
    audit.record(
        actor=operator,
        action="payments.topup_created",
        obj=topup,
        after={"number": topup.number, "amount": amount, "wallet": wallet.code},
    )
    return topup


@transaction.atomic
def record_order(*, topup: TopUp, order: gateway.GatewayOrder) -> TopUp:
    """Step 3: remember the gateway's order (created → pending); apply its status if final."""
    current = _locked(topup.pk)
    if order.merchant_order_id != current.number:
        raise GatewayUnavailable(f"answer for {order.merchant_order_id}, not {current.number}")
    if current.state == TopUpState.CREATED:
        _record_order_fields(current, order)
    elif current.gateway_order_id != order.order_id:
        raise GatewayUnavailable(f"order {order.order_id}, but {current.gateway_order_id} known")
    if order.status in _FINAL:
        _apply_status(
            current,
            status=order.status,
            amount=order.amount,
            order_id=order.order_id,
            via=SettledVia.STATUS_API,
        )
    current.refresh_from_db()
    return current


def _record_order_fields(current: TopUp, order: gateway.GatewayOrder) -> None:
    _transition(
        current,
        state=TopUpState.PENDING,
        gateway_order_id=order.order_id,
        payment_url=order.payment_url[:500],
        gateway_status=order.status,
    )
    audit.record(
        actor=None,
        actor_label="payment gateway",
        action="payments.topup_order_recorded",
        obj=current,
        after={"gateway_order_id": order.order_id, "status": order.status},
    )


def start_topup(*, operator: User, amount: int, key: str, site_url: str) -> TopUp:
    """Create the top-up, ask the gateway for an order, record it; returns the TopUp, pending
    with its payment page on success.

    Not one transaction on purpose: see the module docstring. `site_url` is the origin the
    operator is using (``https://emitra.example``); the gateway sends the browser back to it
    and calls back to it. Raises GatewayUnavailable if the gateway did not answer — the
    top-up then stays *created* and resubmitting the same form resumes it."""
    topup = create_topup(operator=operator, amount=amount, key=key)
    if topup.state != TopUpState.CREATED:
        return topup  # a replay of a form that already reached the gateway
    order = gateway.create_order(
        merchant_order_id=topup.number,
        amount=topup.amount,
        return_url=site_url + reverse("payments:topup", args=[topup.number]),
        callback_url=site_url + reverse("gateway:callback"),
    )
    return record_order(topup=topup, order=order)


# --- applying what the gateway says --------------------------------------------------------------


def _locked(pk: int) -> TopUp:
    return TopUp.objects.select_for_update().get(pk=pk)


def _transition(current: TopUp, **changes: Any) -> None:
    """A conditional UPDATE from the state we read (under the row lock it always matches)."""
    changes.setdefault("updated_at", timezone.now())
    updated = TopUp.objects.filter(pk=current.pk, state=current.state).update(**changes)
    if updated != 1:
        raise ConcurrentChange(current.number)
    for name, value in changes.items():
        setattr(current, name, value)


def _flag(current: TopUp, reason: str) -> None:
    joined = f"{current.flag_reason}; {reason}" if current.flag_reason else reason
    _transition(current, flagged=True, flag_reason=joined[-500:])
    audit.record(
        actor=None,
        actor_label="payment gateway",
        action="payments.topup_flagged",
        obj=current,
        after={"reason": reason, "state": current.state},
    )
    log.warning("payments.topup_flagged", number=current.number, reason=reason)


def _apply_status(
    current: TopUp, *, status: str, amount: int, order_id: str, via: SettledVia
) -> CallbackOutcome:
    """Apply one word from the gateway to a locked top-up; the first final state wins."""
    now = timezone.now()
    seen: dict[str, Any] = {"gateway_status": status[:20]}
    if via == SettledVia.STATUS_API:
        seen["gateway_checked_at"] = now
    if order_id and not current.gateway_order_id:
        seen["gateway_order_id"] = order_id
    wanted = _FINAL.get(status)
    if wanted is None:
        _transition(current, **seen)
        return CallbackOutcome.IGNORED
    if amount != current.amount:
        _flag(current, f"gateway said {status} for {amount} paise, not {current.amount}")
        return CallbackOutcome.AMOUNT_MISMATCH
    if current.state in FINAL_STATES:
        if current.state == wanted:
            _transition(current, **seen)
            return CallbackOutcome.DUPLICATE
        _flag(current, f"gateway said {status} ({via}) after the top-up was {current.state}")
        return CallbackOutcome.CONTRADICTION
    if wanted == TopUpState.PAID:
        txn = ledger.transfer(
            legs=[ledger.Leg(gateway_clearing(), current.wallet, current.amount)],
            kind="topup",
            scope=LEDGER_SCOPE,
            key=current.number,
            cause=ledger.Cause("payments.topup", current.number),
            actor_id=current.operator_id,
            memo=f"{current.number} {order_id or current.gateway_order_id}",
        )
        _transition(
            current,
            **seen,
            state=TopUpState.PAID,
            journal_transaction=txn,
            completed_at=now,
            settled_via=via,
        )
        action, outcome = "payments.topup_paid", CallbackOutcome.CREDITED
    else:
        reason = FailureReason.EXPIRED if status == "expired" else FailureReason.DECLINED
        _transition(
            current,
            **seen,
            state=TopUpState.FAILED,
            failure_reason=reason,
            completed_at=now,
            settled_via=via,
        )
        action, outcome = "payments.topup_failed", CallbackOutcome.FAILED
    audit.record(
        actor=None,
        actor_label="payment gateway",
        action=action,
        obj=current,
        after={"number": current.number, "amount": current.amount, "via": str(via)},
    )
    return outcome


# --- callbacks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallbackResult:
    outcome: CallbackOutcome
    topup: TopUp | None = None


def handle_callback(*, raw_body: bytes, signature: str) -> CallbackResult:
    """Take one callback from the gateway: verify its HMAC, log it, apply it.

    Forged (bad signature) or malformed callbacks are refused and logged and change nothing;
    a replayed one is a duplicate; one contradicting the final state is logged and flags the
    top-up. Every callback leaves a GatewayCallback row — also when processing fails, in which
    case the error is logged in a transaction of its own and re-raised (the gateway retries).
    """
    try:
        return _process_callback(raw_body, signature)
    except Exception as exc:
        with transaction.atomic():
            _log_callback(
                raw_body,
                signature,
                valid=gateway.signature_matches(raw_body, signature),
                outcome=CallbackOutcome.ERROR,
                detail=f"{type(exc).__name__}: {exc}",
            )
        raise


def _log_callback(
    raw_body: bytes,
    signature: str,
    *,
    valid: bool,
    outcome: CallbackOutcome,
    event: dict[str, Any] | None = None,
    topup: TopUp | None = None,
    detail: str = "",
) -> GatewayCallback:
    event = event or {}
    return GatewayCallback.objects.create(
        raw_body=raw_body[:MAX_CALLBACK_BYTES].decode("utf-8", "replace"),
        signature=signature[:200],
        signature_valid=valid,
        event_id=str(event.get("event_id") or "")[:64],
        order_id=str(event.get("order_id") or "")[:64],
        status=str(event.get("status") or "")[:20],
        topup=topup,
        outcome=outcome,
        detail=detail[:300],
    )


def _find_topup(order_id: str, merchant_order_id: str) -> TopUp | None:
    """The top-up a callback is about, locked: by gateway order id, else by our number (a
    callback may beat `record_order`) as long as no other order id was recorded for it."""
    rows = TopUp.objects.select_for_update()
    if order_id and (found := rows.filter(gateway_order_id=order_id).first()) is not None:
        return found
    candidate = rows.filter(number=merchant_order_id).first() if merchant_order_id else None
    if candidate is not None and candidate.gateway_order_id in ("", order_id):
        return candidate
    return None


@transaction.atomic
def _process_callback(raw_body: bytes, signature: str) -> CallbackResult:
    if len(raw_body) > MAX_CALLBACK_BYTES:
        _log_callback(
            raw_body, signature, valid=False, outcome=CallbackOutcome.MALFORMED, detail="too large"
        )
        return CallbackResult(CallbackOutcome.MALFORMED)
    if not gateway.signature_matches(raw_body, signature):
        entry = _log_callback(raw_body, signature, valid=False, outcome=CallbackOutcome.FORGED)
        audit.record(
            actor=None,
            actor_label="payment gateway callback",
            action="payments.callback_refused",
            obj=entry,
            after={"reason": "signature"},
        )
        log.warning("payments.callback_forged", callback_id=entry.pk)
        return CallbackResult(CallbackOutcome.FORGED)
    event = gateway.parse_callback(raw_body)
    if event is None:
        _log_callback(raw_body, signature, valid=True, outcome=CallbackOutcome.MALFORMED)
        return CallbackResult(CallbackOutcome.MALFORMED)
    topup = _find_topup(event["order_id"], event["merchant_order_id"])
    if topup is None:
        _log_callback(
            raw_body, signature, valid=True, outcome=CallbackOutcome.UNKNOWN_ORDER, event=event
        )
        log.warning("payments.callback_unknown_order", order_id=event["order_id"][:64])
        return CallbackResult(CallbackOutcome.UNKNOWN_ORDER)
    outcome = _apply_status(
        topup,
        status=event["status"],
        amount=event["amount_paise"],
        order_id=event["order_id"],
        via=SettledVia.CALLBACK,
    )
    _log_callback(raw_body, signature, valid=True, outcome=outcome, event=event, topup=topup)
    return CallbackResult(outcome, topup)


# --- reconciliation ------------------------------------------------------------------------------


def reconcile_topup(
    *, topup: TopUp, actor: User | None = None, not_sent_after: timedelta = RECONCILE_AFTER
) -> TopUp:
    """Ask the status API about one open top-up, then settle it like a callback would.

    A top-up the gateway never got an order for is failed once it is `not_sent_after` old
    (younger ones may still be on their way through `start_topup`). Raises
    GatewayUnavailable when the gateway does not answer; nothing changes then."""
    if topup.state not in OPEN_STATES:
        return topup
    if topup.gateway_order_id:
        order: gateway.GatewayOrder | None = gateway.get_order(topup.gateway_order_id)
    else:
        order = gateway.find_order(topup.number)
    with transaction.atomic():
        current = _locked(topup.pk)
        outcome: str = "unchanged"
        if order is not None and (
            order.merchant_order_id != current.number
            or (current.gateway_order_id and order.order_id != current.gateway_order_id)
        ):
            raise GatewayUnavailable(f"status answer for {order.order_id}, not {current.number}")
        if order is None:
            if (
                current.state == TopUpState.CREATED
                and current.created_at <= timezone.now() - not_sent_after
            ):
                _transition(
                    current,
                    state=TopUpState.FAILED,
                    failure_reason=FailureReason.NOT_SENT,
                    gateway_status="none",
                    gateway_checked_at=timezone.now(),
                    completed_at=timezone.now(),
                    settled_via=SettledVia.STATUS_API,
                )
                audit.record(
                    actor=actor,
                    action="payments.topup_failed",
                    obj=current,
                    after={"number": current.number, "reason": FailureReason.NOT_SENT.value},
                )
                outcome = CallbackOutcome.FAILED
        elif current.state in FINAL_STATES and order.status not in _FINAL:
            pass  # settled by a callback meanwhile; a non-final status adds nothing
        else:
            if current.state == TopUpState.CREATED:
                _record_order_fields(current, order)
            outcome = _apply_status(
                current,
                status=order.status,
                amount=order.amount,
                order_id=order.order_id,
                via=SettledVia.STATUS_API,
            )
        if actor is not None:
            audit.record(
                actor=actor,
                action="payments.topup_checked",
                obj=current,
                after={"gateway_status": order.status if order else "none", "outcome": outcome},
            )
    current.refresh_from_db()
    return current


@dataclass
class ReconcileSummary:
    checked: int = 0
    paid: int = 0
    failed: int = 0
    unreachable: int = 0


def reconcile_pending(
    *, older_than: timedelta = RECONCILE_AFTER, limit: int = 200
) -> ReconcileSummary:
    """Settle top-ups still open `older_than` after they started (their callback never came):
    the periodic job `payments.reconcile_pending` runs this every minute."""
    cutoff = timezone.now() - older_than
    due = list(
        TopUp.objects.filter(state__in=OPEN_STATES, created_at__lte=cutoff).order_by(
            F("gateway_checked_at").asc(nulls_first=True), "created_at"
        )[:limit]
    )
    summary = ReconcileSummary()
    for topup in due:
        try:
            after = reconcile_topup(topup=topup, not_sent_after=older_than)
        except GatewayUnavailable as exc:
            summary.unreachable += 1
            log.warning("payments.reconcile_unreachable", number=topup.number, detail=exc.detail)
            continue
        summary.checked += 1
        if after.state == TopUpState.PAID:
            summary.paid += 1
        elif after.state == TopUpState.FAILED:
            summary.failed += 1
    if due:
        log.info("payments.reconciled", **vars(summary))
    return summary
