"""Every kind of order we send to the payment gateway, for the daily reconciliation.

The gateway's settlement file lists all our orders together: wallet top-ups, bills paid on the
citizen portal, and whatever else a channel sells online. Reconciliation must know each kind,
but the apps that make them sit above this one, so each registers a source in its
AppConfig.ready (top-ups are here already: settlement sits above payments):

    from emitra.settlement.gateway_orders import OrderSource, register_source
    register_source(OrderSource(kind="online_bill", label=_("Online bill payment"), ...))

A source answers two questions with plain `OrderRef` views: which of our orders carry these
gateway order ids or merchant order numbers (`find`), and which did we see collected in
[start, end) (`collected_between`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from emitra.payments.models import TopUp, TopUpState

CHUNK = 500  # ids per query: a day's file can hold many thousands of orders


@dataclass(frozen=True)
class OrderRef:
    """One order of ours, as reconciliation sees it."""

    kind: str  # the source's code, stored on mismatches ("topup", "online_bill")
    label: str | Promise  # what a person reads ("Wallet top-up")
    number: str  # our merchant order number (TOP-…, OBP-…)
    gateway_order_id: str
    amount: int  # paise the gateway collects
    collected: bool  # we saw the money arrive (and booked it)
    state: str  # our state, quoted in a finding's detail
    pk: int
    admin_url_name: str | None = None  # reversed with [pk]


Find = Callable[[Sequence[str], Sequence[str]], Iterable[OrderRef]]
CollectedBetween = Callable[[datetime, datetime], Iterable[OrderRef]]


@dataclass(frozen=True)
class OrderSource:
    kind: str
    label: str | Promise
    noun: str  # English, in findings' details ("top-up"): the details are not translated
    find: Find  # (gateway order ids, merchant order numbers) -> our orders with either
    collected_between: CollectedBetween  # orders we saw collected in [start, end)
    admin_url_name: str | None = None  # the back office's page of one order, reversed with [pk]


_SOURCES: dict[str, OrderSource] = {}


def register_source(source: OrderSource) -> OrderSource:
    """Add (or replace: registering a kind again keeps one) a source of gateway orders."""
    _SOURCES[source.kind] = source
    return source


def unregister_source(kind: str) -> None:
    _SOURCES.pop(kind, None)


def sources() -> list[OrderSource]:
    return list(_SOURCES.values())


def source_of(kind: str) -> OrderSource | None:
    return _SOURCES.get(kind)


def label_of(kind: str) -> str:
    """The kind's label for a person; a kind no longer registered shows its code."""
    source = _SOURCES.get(kind)
    return str(source.label) if source is not None else kind


def find_orders(*, order_ids: Sequence[str], numbers: Sequence[str]) -> list[OrderRef]:
    """Our orders of every kind that carry one of these gateway order ids or numbers."""
    found: dict[tuple[str, int], OrderRef] = {}
    ids, nums = sorted(set(filter(None, order_ids))), sorted(set(filter(None, numbers)))
    for source in sources():
        for start in range(0, max(len(ids), len(nums)), CHUNK):
            for order in source.find(ids[start : start + CHUNK], nums[start : start + CHUNK]):
                found[(order.kind, order.pk)] = order
    return list(found.values())


def collected_between(start: datetime, end: datetime) -> list[OrderRef]:
    """The orders of every kind that we saw collected in [start, end)."""
    return [order for source in sources() for order in source.collected_between(start, end)]


# --- wallet top-ups ----------------------------------------------------------------------------

TOPUP = "topup"
TOPUP_ADMIN = "admin:payments_topup_change"


def _topup_ref(topup: TopUp) -> OrderRef:
    return OrderRef(
        kind=TOPUP,
        label=_("Wallet top-up"),
        number=topup.number,
        gateway_order_id=topup.gateway_order_id,
        amount=topup.amount,
        collected=topup.state == TopUpState.PAID,
        state=topup.state,
        pk=topup.pk,
        admin_url_name=TOPUP_ADMIN,
    )


def find_topups(order_ids: Sequence[str], numbers: Sequence[str]) -> list[OrderRef]:
    topups = TopUp.objects.filter(Q(gateway_order_id__in=order_ids) | Q(number__in=numbers))
    return [_topup_ref(t) for t in topups]


def topups_collected(start: datetime, end: datetime) -> list[OrderRef]:
    """Credited top-ups: `completed_at` is when the wallet was credited."""
    return [
        _topup_ref(t)
        for t in TopUp.objects.filter(
            state=TopUpState.PAID, completed_at__gte=start, completed_at__lt=end
        ).order_by("pk")
    ]


register_source(
    OrderSource(
        kind=TOPUP,
        label=_("Wallet top-up"),
        noun="top-up",
        find=find_topups,
        collected_between=topups_collected,
        admin_url_name=TOPUP_ADMIN,
    )
)
