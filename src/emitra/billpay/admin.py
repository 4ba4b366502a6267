"""Back office: billers' rules are edited here (the state admin's call); payments and fetched
bills are read-only (money moves only through the saga)."""

from __future__ import annotations

from django.contrib import admin

from emitra.billpay.models import Biller, BillPayment, FetchedBill
from emitra.core.admin import ReadOnlyAdmin


@admin.register(Biller)
class BillerAdmin(admin.ModelAdmin[Biller]):
    list_display = [
        "code",
        "name_en",
        "kind",
        "service",
        "consumer_pattern",
        "part_payment",
        "overpayment",
        "min_amount",
        "is_active",
    ]
    list_filter = ["kind", "is_active", "part_payment"]
    search_fields = ["code", "name_en", "name_hi"]
    readonly_fields = ["code"]

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False  # payments refer to billers; switch one off with "active" instead


@admin.register(BillPayment)
class BillPaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "operator",
        "biller",
        "consumer",
        "amount",
        "total",
        "state",
        "biller_status",
        "polls",
        "attention_since",
        "created_at",
        "completed_at",
    ]
    list_filter = ["state", "attention_reason", "biller"]
    search_fields = ["number", "consumer", "biller_txn_id", "operator__username"]
    date_hierarchy = "created_at"
    exclude = ["mobile"]  # shown masked on the receipt; not needed in the back office


@admin.register(FetchedBill)
class FetchedBillAdmin(ReadOnlyAdmin):
    list_display = ["fetched_at", "biller", "consumer", "bill_number", "amount", "operator"]
    list_filter = ["biller"]
    search_fields = ["consumer", "bill_number"]
    date_hierarchy = "fetched_at"
