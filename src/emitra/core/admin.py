"""Back office views of the audit log (read-only) and the outbox (with dead-letter retry)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from emitra.core import audit, outbox
from emitra.core.errors import DomainError
from emitra.core.models import AuditEntry, IdSeries, OutboxMessage


class DomainErrorsAsMessages:
    """For admins whose save_model calls a service: a refusal (DomainError) is shown as an
    error message on the same page, not a server error. The admin's own atomic block has
    already rolled the attempt back."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            response: HttpResponse = super().changeform_view(  # type: ignore[misc]
                request, object_id, form_url, extra_context
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return HttpResponseRedirect(request.get_full_path())
        return response


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_id", "request_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "action", "object_id", "request_id"]
    date_hierarchy = "at"


@admin.register(IdSeries)
class IdSeriesAdmin(ReadOnlyAdmin):
    list_display = ["series", "period", "last_value"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    list_display = ["id", "topic", "status", "attempts", "available_at", "created_at", "done_at"]
    list_filter = ["status", "topic"]
    search_fields = ["topic", "last_error", "request_id"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry_dead_letters"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Retry selected dead letters"), permissions=["change"])
    def retry_dead_letters(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        ids = list(queryset.values_list("id", flat=True))
        count = outbox.retry_dead(message_ids=ids)
        audit.record(
            actor=request.user,
            action="core.outbox_retry",
            object_type="core.outboxmessage",
            object_id=",".join(map(str, ids))[:64],
            after={"retried": count},
        )
        self.message_user(
            request, _("%(count)d message(s) queued again.") % {"count": count}, messages.SUCCESS
        )
