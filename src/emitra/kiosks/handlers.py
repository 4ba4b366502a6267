"""Periodic jobs of the kiosks app."""

from __future__ import annotations

from emitra.core.jobs import periodic
from emitra.kiosks import services


@periodic("kiosks.flag_inactive", every_seconds=6 * 3600)
def flag_inactive() -> services.InactivitySummary:
    """Judge last month's activity; idempotent, so running it often only catches up sooner."""
    return services.flag_inactive_kiosks()
