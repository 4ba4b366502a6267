"""Reads about people, scoped to what the asking user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.core.models import AuditEntry


def users_visible_to(viewer: User, *, role: str = "", query: str = "") -> QuerySet[User]:
    """Statewide roles see everyone; a district society sees its own district; others nobody."""
    users = User.objects.select_related("district").order_by("role", "full_name", "username")
    if viewer.is_statewide:
        pass
    elif viewer.role == Role.DISTRICT_ADMIN and viewer.district_id is not None:
        users = users.filter(district_id=viewer.district_id)
    else:
        users = users.none()
    if role:
        users = users.filter(role=role)
    if query:
        users = users.filter(
            Q(full_name__icontains=query) | Q(username__icontains=query) | Q(mobile=query)
        )
    return users


def recent_sign_ins(user: User, *, limit: int = 10) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        actor=user, action__in=["accounts.login", "accounts.citizen_otp_login"]
    ).order_by("-at")[:limit]
