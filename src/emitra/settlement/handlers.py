"""Periodic jobs of the settlement app."""

from __future__ import annotations

from emitra.core.jobs import periodic
from emitra.settlement import services


@periodic("settlement.daily", every_seconds=600)
def settle_yesterday() -> object:
    """From 01:00 IST, settle yesterday for every department and reconcile the gateway's file
    (each at most once: settled days and reconciled days are skipped)."""
    return services.run_daily()
