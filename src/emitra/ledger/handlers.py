"""Periodic jobs of the ledger."""

from __future__ import annotations

from emitra.core.jobs import periodic
from emitra.ledger import services


@periodic("ledger.expire_holds", every_seconds=60)
def expire_holds() -> int:
    return services.expire_holds()
