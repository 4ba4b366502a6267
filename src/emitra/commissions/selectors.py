"""Reads of commission lines, for one operator and one period."""

from __future__ import annotations

from datetime import datetime

from emitra.commissions.models import CommissionLine


def lines_of(operator_id: int, *, start: datetime, end: datetime) -> list[CommissionLine]:
    """The operator's lines posted in [start, end), oldest first, with their services."""
    return list(
        CommissionLine.objects.filter(operator_id=operator_id, at__gte=start, at__lt=end)
        .select_related("service")
        .order_by("at", "transaction_id")
    )
