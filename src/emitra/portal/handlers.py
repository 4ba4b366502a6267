"""Periodic jobs of the citizen portal."""

from __future__ import annotations

from emitra.core.jobs import periodic
from emitra.portal import services


@periodic("portal.reconcile_pending", every_seconds=60)
def reconcile_pending() -> int:
    """Online bills whose gateway callback never came are settled from the status API."""
    return services.reconcile_pending()
