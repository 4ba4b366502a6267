"""Periodic jobs of the payments app."""

from __future__ import annotations

from emitra.core.jobs import periodic
from emitra.payments import services


@periodic("payments.reconcile_pending", every_seconds=60)
def reconcile_pending() -> services.ReconcileSummary:
    """Top-ups whose callback never came are settled from the gateway's status API."""
    return services.reconcile_pending()
