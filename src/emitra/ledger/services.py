"""The only writer of money. Each act is atomic, idempotent on (scope, key), and audited.

A replayed key returns the first result; the same key with a different request is refused
(KeyReused, HTTP 409). A refused request writes nothing but an audit row. Limited accounts
(wallets) are locked in id order; hot accounts are only appended to (DESIGN.md §4 rule 6).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, partial, wraps
from typing import Any, ParamSpec, TypeVar

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import F
from django.db.models.base import ModelState
from django.utils import timezone

from emitra.core import audit
from emitra.core.errors import DomainError
from emitra.ledger import postgres
from emitra.ledger.errors import (
    AlreadyReversed,
    CurrencyMismatch,
    HoldExpired,
    HoldResolved,
    InsufficientFunds,
    InvalidAmount,
    KeyReused,
    PostExceedsHold,
    Unbalanced,
    UnknownAccount,
)
from emitra.ledger.models import (
    Account,
    AccountKind,
    Entry,
    Hold,
    HoldState,
    JournalTransaction,
)

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Leg:
    """Move `amount` paise from `debit` to `credit` (one debit entry, one credit entry)."""

    debit: Account
    credit: Account
    amount: int


@dataclass(frozen=True)
class Cause:
    """What made the ledger move (a payment, a top-up order …), kept on the transaction."""

    type: str = ""
    id: str = ""


NO_CAUSE = Cause()


def _refusals_audited(action: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Record every refused request in the audit log (after the refused work rolled back)."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return fn(*args, **kwargs)
            except DomainError as exc:
                with transaction.atomic():
                    audit.record(
                        actor=None,
                        action=f"{action}.refused",
                        object_type="ledger.request",
                        object_id=str(kwargs.get("key", ""))[:64],
                        after={"code": exc.code, "scope": str(kwargs.get("scope", ""))},
                    )
                raise

        return wrapper

    return decorate


def request_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


# The digests of the two calls of every payment, written out: the same text `request_hash`
# makes of the same payload (tested), without json's generic walk on the hot path.
def _hold_hash(account_id: int, amount: int) -> str:
    text = f'{{"account": {account_id}, "amount": {amount}, "op": "hold"}}'
    return hashlib.sha256(text.encode()).hexdigest()


def _post_hold_hash(hold_id: int, legs: Sequence[tuple[int, int, int]]) -> str:
    inner = ", ".join(f"[{d}, {c}, {a}]" for d, c, a in legs)
    text = f'{{"hold": {hold_id}, "legs": [{inner}], "op": "post_hold"}}'
    return hashlib.sha256(text.encode()).hexdigest()


def _check_amount(amount: object) -> int:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise InvalidAmount()
    return amount


def _allocate_transaction_id() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval('ledger_txn_id_seq')")
        else:  # SQLite: writers are serialised by BEGIN IMMEDIATE, so max + 1 cannot race.
            cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM ledger_journaltransaction")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def _lock_limited(accounts: Iterable[Account]) -> dict[int, Account]:
    """Fresh, locked copies of the limited accounts, locked in id order (no deadlocks)."""
    ids = sorted({a.pk for a in accounts if a.floor is not None})
    if not ids:
        return {}
    return {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def _write_transaction(
    entries: Sequence[tuple[Account, int]],
    *,
    kind: str,
    scope: str,
    key: str,
    digest: str,
    cause: Cause,
    actor_id: int | None,
    memo: str = "",
    reverses: JournalTransaction | None = None,
) -> JournalTransaction:
    """The entries and the transaction row, in the order the database checks them: on SQLite
    entries first (the row's insert trigger checks their balance), on PostgreSQL the row first
    (the entry trigger checks the entries against it, migration 0008)."""
    accounts = [account for account, _amount in entries]
    if len({a.currency for a in accounts}) > 1:
        raise CurrencyMismatch()
    if len(entries) < 2 or sum(amount for _a, amount in entries) != 0:
        raise Unbalanced()
    locked = _lock_limited(accounts)
    net: dict[int, int] = defaultdict(int)
    for account, amount in entries:
        net[account.pk] += amount
    for account_id, change in net.items():
        wallet = locked.get(account_id)
        if (
            wallet is not None
            and wallet.floor is not None
            and change < 0
            and wallet.balance + change - wallet.held < wallet.floor
        ):
            raise InsufficientFunds(wallet.code)
    txn_id = _allocate_transaction_id()
    now = timezone.now()

    def write_entries() -> None:  # one INSERT: PostgreSQL checks each INSERT's balance
        Entry.objects.bulk_create(
            [
                Entry(transaction_id=txn_id, account=a, amount=amount, created_at=now)
                for a, amount in entries
            ]
        )

    row_first = connection.vendor == "postgresql"
    if not row_first:
        write_entries()
    txn = JournalTransaction.objects.create(
        id=txn_id,
        kind=kind,
        scope=scope,
        key=key,
        request_hash=digest,
        cause_type=cause.type,
        cause_id=cause.id,
        memo=memo[:200],
        actor_id=actor_id,
        reverses=reverses,
        created_at=now,
    )
    if row_first:
        write_entries()
    return txn


def _replay(scope: str, key: str, digest: str) -> JournalTransaction | None:
    earlier = JournalTransaction.objects.filter(scope=scope, key=key).first()
    if earlier is not None and earlier.request_hash != digest:
        raise KeyReused()
    return earlier


def _idempotent(
    scope: str, key: str, digest: str, work: Callable[[], JournalTransaction]
) -> JournalTransaction:
    """Run `work` once per (scope, key); a concurrent twin that lost the race gets the winner's."""
    if (earlier := _replay(scope, key, digest)) is not None:
        return earlier
    try:
        with transaction.atomic():
            return work()
    except IntegrityError:
        earlier = _replay(scope, key, digest)
        if earlier is None:
            raise
        return earlier


M = TypeVar("M", JournalTransaction, Hold)


def _as_saved(model: type[M], values: dict[str, Any], related: dict[str, Any] | None = None) -> M:
    """A saved instance of what a database function wrote, without another round trip and
    without Model.__init__, which walks every field and sends two signals — a third of the
    client's Python time per payment. `values` names every concrete field by attname
    (tested), `related` the related objects already at hand."""
    instance = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = DEFAULT_DB_ALIAS
    state.fields_cache = dict(related or {})
    instance.__dict__.update(values)
    instance.__dict__["_state"] = state
    return instance


def _pg_idempotent(
    scope: str, key: str, digest: str, call: Callable[[], JournalTransaction]
) -> JournalTransaction:
    try:
        return call()
    except IntegrityError:  # a concurrent twin with the same key committed first
        earlier = _replay(scope, key, digest)
        if earlier is None:
            raise
        return earlier


def _pg_posting(
    function: str,
    leading: list[Any],
    *,
    legs: Sequence[Leg],
    scope: str,
    key: str,
    digest: str,
    kind: str,
    now: datetime,
    cause: Cause,
    memo: str,
    actor_id: int | None,
) -> JournalTransaction:
    """One call of a posting function; the returned transaction is built from what it wrote."""

    def call() -> JournalTransaction:
        params = postgres.transfer_params(
            legs=legs,
            scope=scope,
            key=key,
            digest=digest,
            kind=kind,
            now=now,
            cause_type=cause.type,
            cause_id=cause.id,
            memo=memo,
            actor_id=actor_id,
        )
        txn_id, replayed = postgres.call(function, [*leading, *params])
        if replayed:
            return JournalTransaction.objects.get(pk=txn_id)
        return _as_saved(
            JournalTransaction,
            {
                "id": txn_id,
                "kind": kind,
                "scope": scope,
                "key": key,
                "request_hash": digest,
                "reverses_id": None,
                "cause_type": cause.type,
                "cause_id": cause.id,
                "memo": memo[:200],
                "actor_id": actor_id,
                "created_at": now,
            },
        )

    return _pg_idempotent(scope, key, digest, call)


@cache
def _on_postgres() -> bool:
    """The database never changes under a running process: asked once (each access through
    the connection proxy costs a context-local lookup, and the hot path asked twice a payment)."""
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql"


def _legs_to_entries(legs: Sequence[Leg]) -> list[tuple[Account, int]]:
    entries: list[tuple[Account, int]] = []
    for leg in legs:
        amount = _check_amount(leg.amount)
        if leg.debit.id == leg.credit.id:
            raise Unbalanced()
        for account in (leg.debit, leg.credit):
            if not account.is_active:
                raise UnknownAccount(account.code)
        entries += [(leg.debit, -amount), (leg.credit, amount)]
    if not entries:
        raise Unbalanced()
    return entries


def _legs_payload(legs: Sequence[Leg]) -> list[tuple[int, int, int]]:
    return [(leg.debit.id, leg.credit.id, leg.amount) for leg in legs]


def _write_once(
    entries: Sequence[tuple[Account, int]],
    *,
    kind: str,
    scope: str,
    key: str,
    digest: str,
    cause: Cause,
    actor_id: int | None,
    memo: str,
) -> JournalTransaction:
    """The portable posting: write the entries once per (scope, key) (transfers on SQLite,
    journals everywhere)."""
    return _idempotent(
        scope,
        key,
        digest,
        partial(
            _write_transaction,
            entries,
            kind=kind,
            scope=scope,
            key=key,
            digest=digest,
            cause=cause,
            actor_id=actor_id,
            memo=memo,
        ),
    )


@_refusals_audited("ledger.transfer")
def transfer(
    *,
    legs: Sequence[Leg],
    kind: str,
    scope: str,
    key: str,
    cause: Cause = NO_CAUSE,
    actor_id: int | None = None,
    memo: str = "",
) -> JournalTransaction:
    """Move money along linked legs, all or none (TigerBeetle's linked transfers)."""
    entries = _legs_to_entries(legs)
    if len({account.currency for account, _amount in entries}) > 1:
        raise CurrencyMismatch()
    digest = request_hash({"op": "transfer", "kind": kind, "legs": _legs_payload(legs)})
    if _on_postgres():
        return _pg_posting(
            "ledger_transfer",
            [],
            legs=legs,
            scope=scope,
            key=key,
            digest=digest,
            kind=kind,
            now=timezone.now(),
            cause=cause,
            memo=memo,
            actor_id=actor_id,
        )
    return _write_once(
        entries,
        kind=kind,
        scope=scope,
        key=key,
        digest=digest,
        cause=cause,
        actor_id=actor_id,
        memo=memo,
    )


@dataclass(frozen=True)
class TransferRequest:
    legs: Sequence[Leg]
    kind: str
    scope: str
    key: str
    cause: Cause = NO_CAUSE
    memo: str = ""


@_refusals_audited("ledger.transfer_batch")
def transfer_batch(
    *, transfers: Sequence[TransferRequest], actor_id: int | None = None
) -> list[int]:
    """Bulk loads (settlement files, imports): many transfers in one database transaction, all
    or nothing — one commit instead of one per transfer. Returns the transaction ids (a
    replayed key gives its earlier id)."""
    prepared = []
    for request in transfers:
        entries = _legs_to_entries(request.legs)
        if len({account.currency for account, _amount in entries}) > 1:
            raise CurrencyMismatch()
        digest = request_hash(
            {"op": "transfer", "kind": request.kind, "legs": _legs_payload(request.legs)}
        )
        prepared.append((request, entries, digest))
    keyed: dict[tuple[str, str], str] = {}
    for request, _entries, digest in prepared:
        if keyed.setdefault((request.scope, request.key), digest) != digest:
            raise KeyReused()
    now = timezone.now()
    if _on_postgres():
        return postgres.transfer_batch(prepared, now=now, actor_id=actor_id)
    ids = []
    with transaction.atomic():
        for request, entries, digest in prepared:
            earlier = _replay(request.scope, request.key, digest)
            txn_id = (
                earlier.pk
                if earlier is not None
                else _write_transaction(
                    entries,
                    kind=request.kind,
                    scope=request.scope,
                    key=request.key,
                    digest=digest,
                    cause=request.cause,
                    actor_id=actor_id,
                    memo=request.memo,
                ).pk
            )
            ids.append(txn_id)
    return ids


@_refusals_audited("ledger.journal")
def post_journal(
    *,
    entries: Sequence[tuple[Account, int]],
    kind: str,
    scope: str,
    key: str,
    cause: Cause = NO_CAUSE,
    actor_id: int | None = None,
    memo: str = "",
) -> JournalTransaction:
    """Post signed entries directly (settlements, corrections); they must sum to zero."""
    for account, amount in entries:
        if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
            raise InvalidAmount()
        if not account.is_active:
            raise UnknownAccount(account.code)
    digest = request_hash(
        {"op": "journal", "kind": kind, "entries": [(a.pk, n) for a, n in entries]}
    )
    return _write_once(
        entries,
        kind=kind,
        scope=scope,
        key=key,
        digest=digest,
        cause=cause,
        actor_id=actor_id,
        memo=memo,
    )


@_refusals_audited("ledger.hold")
def hold(
    *,
    account: Account,
    amount: int,
    scope: str,
    key: str,
    expires_in: timedelta,
    cause: Cause = NO_CAUSE,
    actor_id: int | None = None,
) -> Hold:
    """Reserve `amount` on a limited account; available balance drops, posted balance not."""
    _check_amount(amount)
    if account.floor is None or not account.is_active:
        raise UnknownAccount(account.code)
    digest = _hold_hash(account.pk, amount)
    if _on_postgres():
        now = timezone.now()
        expires_at = now + expires_in
        try:
            hold_id, replayed = postgres.call(
                "ledger_hold",
                [account.pk, amount, scope, key, digest, now, expires_at, cause.type, cause.id],
            )
        except IntegrityError:
            earlier_hold = Hold.objects.filter(scope=scope, key=key).first()
            if earlier_hold is None:
                raise
            if earlier_hold.request_hash != digest:
                raise KeyReused() from None
            return earlier_hold
        if replayed:
            return Hold.objects.get(pk=hold_id)
        return _as_saved(
            Hold,
            {
                "id": hold_id,
                "account_id": account.pk,
                "amount": amount,
                "state": HoldState.OPEN,
                "expires_at": expires_at,
                "scope": scope,
                "key": key,
                "request_hash": digest,
                "posted_amount": 0,
                "resolved_by_id": None,
                "cause_type": cause.type,
                "cause_id": cause.id,
                "created_at": now,
                "resolved_at": None,
            },
            {"account": account},
        )

    def replay() -> Hold | None:
        earlier = Hold.objects.filter(scope=scope, key=key).first()
        if earlier is not None and earlier.request_hash != digest:
            raise KeyReused()
        return earlier

    if (earlier := replay()) is not None:
        return earlier
    try:
        with transaction.atomic():
            wallet = _lock_limited([account])[account.pk]
            assert wallet.floor is not None
            if wallet.balance - wallet.held - amount < wallet.floor:
                raise InsufficientFunds(wallet.code)
            Account.objects.filter(pk=wallet.pk).update(held=wallet.held + amount)
            return Hold.objects.create(
                account=wallet,
                amount=amount,
                expires_at=timezone.now() + expires_in,
                scope=scope,
                key=key,
                request_hash=digest,
                cause_type=cause.type,
                cause_id=cause.id,
            )
    except IntegrityError:
        if (earlier := replay()) is None:
            raise
        return earlier


def _release(hold_obj: Hold) -> None:
    """Give the hold's reservation back to the available balance (caller holds the lock)."""
    Account.objects.filter(pk=hold_obj.account_id).update(held=F("held") - hold_obj.amount)


def _open_hold_for_update(hold_obj: Hold, legs: Sequence[Leg] = ()) -> Hold:
    """Lock the held wallet and every limited account of the legs, in id order."""
    _lock_limited([hold_obj.account, *(a for leg in legs for a in (leg.debit, leg.credit))])
    current = Hold.objects.select_related("account").get(pk=hold_obj.pk)
    if current.state != HoldState.OPEN:
        raise HoldResolved(current.get_state_display())
    return current


@_refusals_audited("ledger.post_hold")
def post_hold(
    *,
    hold: Hold,
    legs: Sequence[Leg],
    scope: str,
    key: str,
    kind: str = "hold_post",
    cause: Cause = NO_CAUSE,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> JournalTransaction:
    """Post a hold, whole or in part: legs debiting the held account spend the reservation
    (at most its amount); other legs (e.g. a department paying the commission) ride along.
    What is not spent goes back to the available balance."""
    entries = _legs_to_entries(legs)
    spent = sum(leg.amount for leg in legs if leg.debit.id == hold.account_id)
    if spent <= 0:
        raise InvalidAmount()
    if spent > hold.amount:
        raise PostExceedsHold()
    digest = _post_hold_hash(hold.pk, _legs_payload(legs))
    if len({account.currency for account, _amount in entries}) > 1:
        raise CurrencyMismatch()
    if _on_postgres():
        return _pg_posting(
            "ledger_post_hold",
            [hold.pk],
            legs=legs,
            scope=scope,
            key=key,
            digest=digest,
            kind=kind,
            now=now or timezone.now(),
            cause=cause if cause.type else Cause(hold.cause_type, hold.cause_id),
            memo="",
            actor_id=actor_id,
        )

    def work() -> JournalTransaction:
        _lock_limited([hold.account, *(a for leg in legs for a in (leg.debit, leg.credit))])
        # A twin with the same key may have posted while we waited for the lock.
        if (earlier := _replay(scope, key, digest)) is not None:
            return earlier
        current = _open_hold_for_update(hold, legs)
        if current.expires_at <= (now or timezone.now()):
            raise HoldExpired()
        _release(current)
        txn = _write_transaction(
            entries,
            kind=kind,
            scope=scope,
            key=key,
            digest=digest,
            cause=cause if cause.type else Cause(current.cause_type, current.cause_id),
            actor_id=actor_id,
        )
        closed = Hold.objects.filter(pk=current.pk, state=HoldState.OPEN).update(
            state=HoldState.POSTED, posted_amount=spent, resolved_by=txn, resolved_at=timezone.now()
        )
        if closed != 1:
            raise HoldResolved(str(HoldState.POSTED.label))
        return txn

    return _idempotent(scope, key, digest, work)


@_refusals_audited("ledger.void_hold")
def void_hold(*, hold: Hold, actor_id: int | None = None, expired: bool = False) -> Hold:
    """Give the reserved money back. Voiding a voided hold is a harmless replay."""
    with transaction.atomic():
        _lock_limited([hold.account])
        current = Hold.objects.get(pk=hold.pk)
        if current.state in (HoldState.VOIDED, HoldState.EXPIRED):
            return current
        if current.state != HoldState.OPEN:
            raise HoldResolved(current.get_state_display())
        _release(current)
        closed = Hold.objects.filter(pk=current.pk, state=HoldState.OPEN).update(
            state=HoldState.EXPIRED if expired else HoldState.VOIDED, resolved_at=timezone.now()
        )
        if closed != 1:
            raise HoldResolved(str(HoldState.VOIDED.label))
        current.refresh_from_db()
        return current


@_refusals_audited("ledger.reverse")
def reverse(
    *,
    original: JournalTransaction,
    scope: str,
    key: str,
    actor_id: int | None = None,
    memo: str = "",
) -> JournalTransaction:
    """Undo a transaction by its mirror image, linked to it; a transaction is reversed once."""
    digest = request_hash({"op": "reverse", "original": original.pk})

    def work() -> JournalTransaction:
        if JournalTransaction.objects.filter(reverses=original).exists():
            raise AlreadyReversed()
        mirror = [(e.account, -e.amount) for e in original.entries.select_related("account")]
        return _write_transaction(
            mirror,
            kind="reversal",
            scope=scope,
            key=key,
            digest=digest,
            cause=Cause("ledger.journaltransaction", str(original.pk)),
            actor_id=actor_id,
            memo=memo,
            reverses=original,
        )

    return _idempotent(scope, key, digest, work)


@_refusals_audited("ledger.extend_hold")
def extend_hold(*, hold: Hold, until: datetime, reason: str, actor_id: int | None = None) -> Hold:
    """Keep an open hold reserved until `until` (never shortens it): for money whose fate a
    person must decide, such as a bill payment the biller can neither confirm nor cancel, which
    must not go back to the wallet while the biller may have taken it."""
    with transaction.atomic():
        _lock_limited([hold.account])  # whoever changes a hold locks its wallet first
        current = Hold.objects.get(pk=hold.pk)
        if current.state != HoldState.OPEN:
            raise HoldResolved(current.get_state_display())
        if until > current.expires_at:
            before = current.expires_at
            Hold.objects.filter(pk=current.pk, state=HoldState.OPEN).update(expires_at=until)
            current.expires_at = until
            audit.record(
                actor=None,
                action="ledger.hold_extended",
                object_type="ledger.hold",
                object_id=str(current.pk),
                before={"expires_at": before.isoformat()},
                after={"expires_at": until.isoformat(), "reason": reason[:200], "by": actor_id},
            )
    return current


def expire_holds(*, now: datetime | None = None, limit: int = 500) -> int:
    """Void open holds past their expiry (run by the worker every minute)."""
    due = Hold.objects.filter(state=HoldState.OPEN, expires_at__lte=now or timezone.now())
    count = 0
    for stale in due.select_related("account").order_by("expires_at")[:limit]:
        try:
            void_hold(hold=stale, expired=True)
            count += 1
        except HoldResolved:
            continue  # posted or voided meanwhile by someone else
    return count


@transaction.atomic
def open_account(
    *,
    code: str,
    kind: str,
    name: str,
    floor: int | None = None,
    owner_type: str = "",
    owner_id: str = "",
    currency: str = "INR",
) -> Account:
    """Open (or return) the account with `code`; wallets get a floor, hot accounts none."""
    account, created = Account.objects.get_or_create(
        code=code,
        defaults={
            "kind": kind,
            "name": name,
            "floor": floor,
            "owner_type": owner_type,
            "owner_id": owner_id,
            "currency": currency,
        },
    )
    if created:
        audit.record(
            actor=None,
            action="ledger.account_opened",
            obj=account,
            after={"code": code, "kind": kind, "floor": floor},
        )
    return account


OPERATOR_WALLET_OWNER = "accounts.user"


def open_operator_wallet(*, user_id: int, name: str, floor: int = 0) -> Account:
    """The prepaid wallet an operator spends from (owned by the operator's user until the
    kiosks app makes kiosks the owners)."""
    return open_account(
        code=f"wallet:user:{user_id}",
        kind=AccountKind.KIOSK_WALLET,
        name=name,
        floor=floor,
        owner_type=OPERATOR_WALLET_OWNER,
        owner_id=str(user_id),
    )
