"""Read-only back office over online bill payments and application fees (money moves only
via services)."""

from __future__ import annotations

from django.contrib import admin

from emitra.core.admin import ReadOnlyAdmin
from emitra.portal.models import OnlineBill, OnlineFee


@admin.register(OnlineBill)
class OnlineBillAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "citizen",
        "biller",
        "consumer",
        "total",
        "state",
        "flagged",
        "gateway_order_id",
        "bill_payment",
        "created_at",
    ]
    list_filter = ["state", "flagged", "biller"]
    search_fields = ["number", "gateway_order_id", "consumer", "bill_payment__number"]
    date_hierarchy = "created_at"


@admin.register(OnlineFee)
class OnlineFeeAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "citizen",
        "service",
        "total",
        "state",
        "flagged",
        "gateway_order_id",
        "application",
        "created_at",
    ]
    list_filter = ["state", "flagged"]
    search_fields = ["number", "gateway_order_id", "application__number"]
    date_hierarchy = "created_at"
    exclude = ["form_data"]  # the applicant's personal data stays on the application
