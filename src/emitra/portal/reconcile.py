"""The portal's gateway orders, as the daily gateway reconciliation sees them (registered with
`emitra.settlement.gateway_orders` in PortalConfig.ready).

Every portal order kind has the same fields (number, gateway_order_id, total: the paise the
gateway collects, state, completed_at), so `order_source` makes a source for any of them:
online bills (OBP-…) and application fees (OFP-…) each register one.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from emitra.portal.models import OnlineBill, OnlineFee, OnlineState
from emitra.settlement.gateway_orders import OrderRef, OrderSource

ONLINE_BILL = "online_bill"
ONLINE_FEE = "online_fee"

# The money arrived in both: a refunded order was collected, then owed back to the citizen.
COLLECTED = (OnlineState.PAID, OnlineState.REFUNDED)


def order_source(
    model: type[models.Model],
    *,
    kind: str,
    label: str | Promise,
    noun: str,
    collected_states: Collection[str],
) -> OrderSource:
    """A reconciliation source over a portal order model; `completed_at` is when an order in
    one of `collected_states` was collected."""
    rows: models.Manager[Any] = model._default_manager
    admin_url_name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    states = [str(state) for state in collected_states]

    def ref(order: Any) -> OrderRef:
        return OrderRef(
            kind=kind,
            label=label,
            number=order.number,
            gateway_order_id=order.gateway_order_id,
            amount=order.total,
            collected=order.state in states,
            state=order.state,
            pk=order.pk,
            admin_url_name=f"{admin_url_name}_change",
        )

    def find(order_ids: Sequence[str], numbers: Sequence[str]) -> list[OrderRef]:
        return [
            ref(order)
            for order in rows.filter(Q(gateway_order_id__in=order_ids) | Q(number__in=numbers))
        ]

    def collected_between(start: datetime, end: datetime) -> list[OrderRef]:
        return [
            ref(order)
            for order in rows.filter(
                state__in=states, completed_at__gte=start, completed_at__lt=end
            ).order_by("pk")
        ]

    return OrderSource(
        kind=kind,
        label=label,
        noun=noun,
        find=find,
        collected_between=collected_between,
        admin_url_name=f"{admin_url_name}_change",
    )


def online_bill_source() -> OrderSource:
    return order_source(
        OnlineBill,
        kind=ONLINE_BILL,
        label=_("Online bill payment"),
        noun="online bill",
        collected_states=COLLECTED,
    )


def online_fee_source() -> OrderSource:
    return order_source(
        OnlineFee,
        kind=ONLINE_FEE,
        label=_("Online application fee"),
        noun="online application fee",
        collected_states=COLLECTED,
    )
