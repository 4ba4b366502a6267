from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from emitra.commissions.models import CommissionLine


@admin.register(CommissionLine)
class CommissionLineAdmin(admin.ModelAdmin[CommissionLine]):
    """Read only: lines are written with their ledger posting and never changed."""

    list_display = ("transaction", "at", "operator", "service_code", "amount", "kiosk_share")
    list_filter = ("payer", "channel", "kiosk_category")
    search_fields = ("service_code", "key")
    raw_id_fields = ("transaction", "operator", "wallet", "service", "version")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
