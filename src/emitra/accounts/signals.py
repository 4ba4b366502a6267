"""Audit every login, logout and failed login."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from emitra.core import audit


@receiver(user_logged_in)
def audit_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit.record(actor=user, action="accounts.login", obj=user)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(actor=user, action="accounts.logout", obj=user)


@receiver(user_login_failed)
def audit_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    audit.record(
        actor=None,
        action="accounts.login_failed",
        object_type="accounts.user",
        actor_label=str(credentials.get("username", ""))[:150],
    )


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def keep_role_group(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Permissions come from the role's group; membership follows the role on every save."""
    from django.contrib.auth.models import Group

    group, _created = Group.objects.get_or_create(name=f"role:{instance.role}")
    if list(instance.groups.values_list("name", flat=True)) != [group.name]:
        instance.groups.set([group])
