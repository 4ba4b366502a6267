"""The append-only audit log: who did what to which object, with before and after."""

from __future__ import annotations

from typing import Any

from django.db import models

from emitra.core.context import client_ip_var, request_id_var
from emitra.core.masking import mask_personal_numbers
from emitra.core.models import AuditEntry


def _clean(value: Any) -> Any:
    """JSON-safe copy with personal numbers masked: the audit log is read by many roles."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_clean(v) for v in value]
    return mask_personal_numbers(str(value))


def record(
    *,
    actor: Any | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """Write one audit row in the caller's transaction (so it exists iff the act does)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if is_user else None,
        actor_label=mask_personal_numbers(actor_label or (str(actor) if is_user else "")),
        action=action,
        object_type=object_type,
        object_id=mask_personal_numbers(str(object_id)),
        before=_clean(before),
        after=_clean(after),
        request_id=request_id_var.get(),
        ip_address=client_ip_var.get(),
    )
