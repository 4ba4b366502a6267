"""Periodic jobs of the REST API."""

from __future__ import annotations

from emitra.apitokens import services
from emitra.core.jobs import periodic


@periodic("apitokens.purge_idempotency_records", every_seconds=3600)
def purge_idempotency_records() -> int:
    """Replays are kept for API_IDEMPOTENCY_KEEP_HOURS, then forgotten."""
    return services.purge_idempotency_records()
