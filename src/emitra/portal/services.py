"""Paying online: the gateway collects the money, then billpay's saga takes a bill to the
biller (DESIGN.md §4), or the application it paid the fee of is filed — no kiosk wallet.

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

An application's fee follows the same order life (`start_application`): the form and its
documents are checked and kept with the order (OnlineFee) before the citizen is sent to pay;
*paid* files the application with them, the fee held and posted from the citizen's online
account; if it can no longer be filed (the service's form or fee changed meanwhile) the
money goes to the refunds owed.

Every path that credits goes through `_apply`, which does nothing unless the order is still
open, and every posting is keyed, so a replayed callback changes nothing.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, TypeVar

import structlog
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.applications import services as applications
from emitra.applications.models import Application
from emitra.billpay import services as billpay
from emitra.billpay.errors import PaymentInProgress
from emitra.billpay.models import Biller, FetchedBill
from emitra.catalog.models import Channel, Service
from emitra.core import audit
from emitra.core.errors import DomainError
from emitra.core.ids import next_number
from emitra.ledger import chart
from emitra.ledger import services as ledger
from emitra.ledger.models import Account
from emitra.payments import gateway
from emitra.payments.errors import GatewayUnavailable
from emitra.payments.models import CallbackOutcome, GatewayCallback
from emitra.portal.errors import BillNotFetched, InvalidRequestKey, NotACitizen, OrderKeyReused
from emitra.portal.models import (
    FINAL_STATES,
    OPEN_STATES,
    GatewayOrder,
    OnlineBill,
    OnlineFee,
    OnlineState,
)

log = structlog.get_logger(__name__)

SERIES = "OBP"  # online bill payment orders: OBP-2026-27-000000001
Order = TypeVar("Order", bound=GatewayOrder)
FEE_SERIES = "OFP"  # online application fee orders: OFP-2026-27-000000001
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
    return _send(order, site_url=site_url, return_to="portal:bill")


def _send(order: Order, *, site_url: str, return_to: str) -> Order:
    """Ask the gateway for the order's payment page (idempotent on our number) and record it."""
    if order.state != OnlineState.CREATED:
        return order
    answer = gateway.create_order(
        merchant_order_id=order.number,
        amount=order.total,
        return_url=site_url + reverse(return_to, args=[order.number]),
        callback_url=site_url + reverse("portal:gateway_callback"),
    )
    return record_order(order=order, answer=answer)


# --- an application's fee ------------------------------------------------------------------


def start_application(
    *,
    citizen: User,
    service: Service,
    data: dict[str, str],
    files: dict[str, UploadedFile],
    key: str,
    site_url: str,
) -> Application | OnlineFee:
    """A citizen applies online. Everything is checked first (form, documents, fee); a
    service without a fee is filed at once (the Application), one with a fee becomes an
    order whose payment page the citizen is sent to (the OnlineFee). The same key again
    returns what the first attempt made."""
    _citizen(citizen)
    if not _KEY.match(key or ""):
        raise InvalidRequestKey()
    earlier = OnlineFee.objects.filter(citizen=citizen, key=key).first()
    if earlier is not None:
        if earlier.service_id != service.pk:
            raise OrderKeyReused()
        return _send(earlier, site_url=site_url, return_to="portal:fee")
    filing = applications.check_application(
        service=service, submitted_by=citizen, data=data, files=files, channel=Channel.PORTAL
    )
    if filing.priced.total_citizen <= 0:
        return applications.file_application(
            filing, submitted_by=citizen, key=key, channel=Channel.PORTAL
        )
    order = create_fee_order(citizen=citizen, filing=filing, key=key)
    return _send(order, site_url=site_url, return_to="portal:fee")


@transaction.atomic
def create_fee_order(*, citizen: User, filing: applications.Filing, key: str) -> OnlineFee:
    """The OnlineFee row with the checked form and its documents kept, committed before the
    gateway hears of it. Idempotent on (citizen, key)."""
    earlier = OnlineFee.objects.filter(citizen=citizen, key=key).first()
    if earlier is not None:
        return earlier
    try:
        with transaction.atomic():
            order = OnlineFee.objects.create(
                number=next_number(FEE_SERIES).text,
                citizen=citizen,
                service=filing.service,
                service_version=filing.version,
                form_data=applications.sealed_form(filing),
                documents=applications.store_documents(filing, by=citizen),
                total=filing.priced.total_citizen,
                mobile=filing.mobile,
                key=key,
            )
    except IntegrityError:
        raise OrderKeyReused() from None
    audit.record(
        actor=citizen,
        action="portal.fee_order_created",
        obj=order,
        after={"number": order.number, "service": filing.service.code, "total": order.total},
    )
    return order


def _file_paid_application(order: OnlineFee, account: Account) -> Application:
    """The gateway collected the fee: file the application with the kept form and documents,
    the fee taken from the citizen's online account. Raises a DomainError if it cannot be
    filed any more (the caller refunds)."""
    citizen = order.citizen
    filing = applications.resume_filing(
        service=order.service,
        version_id=order.service_version_id,
        submitted_by=citizen,
        cleaned=order.form_data,
        stored={name: int(pk) for name, pk in order.documents.items()},
        channel=Channel.PORTAL,
    )
    if filing.priced.total_citizen != order.total:
        raise OrderKeyReused()  # the fee changed while the citizen paid: refund
    return applications.file_application(
        filing, submitted_by=citizen, key=order.number, channel=Channel.PORTAL, payer=account
    )


def _rows(order: GatewayOrder) -> Any:
    """The manager of the order's own table (bills and fees are kept apart)."""
    return type(order)._default_manager


@transaction.atomic
def record_order(*, order: Order, answer: gateway.GatewayOrder) -> Order:
    current: Order = _rows(order).select_for_update().get(pk=order.pk)
    if answer.merchant_order_id != current.number:
        raise GatewayUnavailable(f"answer for {answer.merchant_order_id}, not {current.number}")
    if current.state == OnlineState.CREATED:
        _rows(current).filter(pk=current.pk, state=OnlineState.CREATED).update(
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


def _apply(current: GatewayOrder, *, status: str, amount: int) -> CallbackOutcome:
    """One word from the gateway about a locked order; the first final state wins."""
    now = timezone.now()
    rows = _rows(current)
    if status not in ("paid", "failed", "expired"):
        rows.filter(pk=current.pk).update(gateway_status=status[:20])
        return CallbackOutcome.IGNORED
    if amount != current.total:
        rows.filter(pk=current.pk).update(flagged=True, updated_at=now)
        log.warning("portal.amount_mismatch", number=current.number, amount=amount)
        return CallbackOutcome.AMOUNT_MISMATCH
    if current.state in FINAL_STATES:
        same = (status == "paid") == (current.state != OnlineState.FAILED)
        if not same:
            rows.filter(pk=current.pk).update(flagged=True, updated_at=now)
            return CallbackOutcome.CONTRADICTION
        return CallbackOutcome.DUPLICATE
    noun = "bill_order" if isinstance(current, OnlineBill) else "fee_order"
    if status != "paid":
        rows.filter(pk=current.pk, state=current.state).update(
            state=OnlineState.FAILED,
            gateway_status=status,
            failure_reason=str(status),
            completed_at=now,
            updated_at=now,
        )
        audit.record(actor=None, action=f"portal.{noun}_failed", obj=current)
        return CallbackOutcome.FAILED
    assert isinstance(current, OnlineBill | OnlineFee)
    citizen = current.citizen
    account = billpay.online_account(citizen)
    cause = ledger.Cause(f"portal.{type(current).__name__.lower()}", current.number)
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
            if isinstance(current, OnlineFee):
                changes["application"] = _file_paid_application(current, account)
            else:
                changes["bill_payment"] = _start_paid_bill(current)
    except DomainError as exc:
        billpay.refund_online(
            account=account, amount=current.total, key=current.number, cause=cause
        )
        changes = {k: v for k, v in changes.items() if k not in ("application", "bill_payment")}
        changes |= {"state": OnlineState.REFUNDED, "failure_reason": str(exc.message)[:200]}
        action = f"portal.{noun}_refunded"
    else:
        changes["state"] = OnlineState.PAID
        action = f"portal.{noun}_paid"
    rows.filter(pk=current.pk, state=current.state).update(**changes)
    audit.record(
        actor=None,
        actor_label="payment gateway",
        action=action,
        obj=current,
        after={"number": current.number, "total": current.total},
    )
    return CallbackOutcome.CREDITED


def _start_paid_bill(current: OnlineBill) -> Any:
    """The gateway collected a bill's money: start billpay's saga on it (raises a DomainError
    if it cannot start — the caller refunds)."""
    citizen = current.citizen
    priced = billpay.price(operator=citizen, biller=current.biller, amount=current.amount)
    if priced.total_citizen != current.total:
        raise OrderKeyReused()  # the price changed while the citizen paid: refund
    return billpay.pay_bill_online(
        citizen=citizen,
        fetched=current.fetched,
        amount=current.amount,
        key=current.number,
        mobile=current.mobile,
    )


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


def _order_of(order_id: str, number: str) -> GatewayOrder | None:
    """The order (locked) a callback speaks of, in whichever table it is kept."""
    model: type[OnlineBill] | type[OnlineFee]
    for model in (OnlineBill, OnlineFee):
        rows = model.objects.select_for_update()
        found = (
            rows.filter(gateway_order_id=order_id).first()
            or rows.filter(number=number, gateway_order_id__in=["", order_id]).first()
        )
        if found is not None:
            return found
    return None


@transaction.atomic
def handle_callback(*, raw_body: bytes, signature: str) -> CallbackOutcome:
    """The gateway's signed callback for an online bill or fee: forged or malformed ones
    change nothing; a replay is a duplicate."""
    if len(raw_body) > MAX_CALLBACK_BYTES or not gateway.signature_matches(raw_body, signature):
        _log(raw_body, signature, valid=False, outcome=CallbackOutcome.FORGED, event={})
        log.warning("portal.callback_forged")
        return CallbackOutcome.FORGED
    event = gateway.parse_callback(raw_body)
    if event is None:
        _log(raw_body, signature, valid=True, outcome=CallbackOutcome.MALFORMED, event={})
        return CallbackOutcome.MALFORMED
    order = _order_of(event["order_id"], event["merchant_order_id"])
    if order is None:
        _log(raw_body, signature, valid=True, outcome=CallbackOutcome.UNKNOWN_ORDER, event=event)
        return CallbackOutcome.UNKNOWN_ORDER
    if not order.gateway_order_id:
        _rows(order).filter(pk=order.pk).update(gateway_order_id=event["order_id"])
    outcome = _apply(order, status=event["status"], amount=event["amount_paise"])
    _log(raw_body, signature, valid=True, outcome=outcome, event=event)
    return outcome


def check_status(*, order: Order) -> Order:
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
    """Settle online bills and fees still open `older_than` after they started (their callback never
    came) from the gateway's status API; an unreachable gateway is tried again next run.
    Returns how many were settled."""
    cutoff = timezone.now() - older_than
    due: list[GatewayOrder] = []
    for model in (OnlineBill, OnlineFee):
        due += model.objects.filter(state__in=OPEN_STATES, created_at__lte=cutoff)[:limit]
    settled = 0
    for order in due:
        try:
            after = check_status(order=order)
        except GatewayUnavailable as exc:
            log.warning("portal.reconcile_unreachable", number=order.number, detail=exc.detail)
            continue
        settled += not after.is_open
    return settled
