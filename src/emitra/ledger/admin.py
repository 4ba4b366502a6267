"""Read-only back office over the ledger: nothing here writes money (only ledger.services do)."""

from __future__ import annotations

from django.contrib import admin

from emitra.core.admin import ReadOnlyAdmin
from emitra.ledger.models import Account, Entry, Hold, JournalTransaction


class EntryInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Entry
    fields = ["account", "amount", "created_at"]
    readonly_fields = ["account", "amount", "created_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "kind", "name", "currency", "floor", "balance", "held", "is_active"]
    list_filter = ["kind", "is_active", "currency"]
    search_fields = ["code", "name", "owner_id"]


@admin.register(JournalTransaction)
class JournalTransactionAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "kind",
        "created_at",
        "scope",
        "key",
        "cause_type",
        "cause_id",
        "reverses",
    ]
    list_filter = ["kind"]
    search_fields = ["key", "cause_id", "memo"]
    date_hierarchy = "created_at"
    inlines = [EntryInline]


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ["id", "account", "amount", "state", "expires_at", "posted_amount", "created_at"]
    list_filter = ["state"]
    search_fields = ["key", "cause_id", "account__code"]
