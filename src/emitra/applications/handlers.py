"""Periodic jobs of the applications app (run by `emitra worker`)."""

from __future__ import annotations

from emitra.applications import services
from emitra.core.jobs import periodic


@periodic("applications.escalate_overdue", every_seconds=300)
def escalate_overdue() -> int:
    """Escalate applications past their SLA and tell the department admins by SMS."""
    return services.escalate_overdue()
