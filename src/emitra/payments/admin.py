"""Read-only back office over top-ups and the callback log (money moves only via services)."""

from __future__ import annotations

from django.contrib import admin

from emitra.core.admin import ReadOnlyAdmin
from emitra.payments.models import GatewayCallback, TopUp


@admin.register(TopUp)
class TopUpAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "operator",
        "amount",
        "state",
        "flagged",
        "gateway_order_id",
        "gateway_status",
        "settled_via",
        "created_at",
        "completed_at",
    ]
    list_filter = ["state", "flagged", "settled_via"]
    search_fields = ["number", "gateway_order_id", "operator__username"]
    date_hierarchy = "created_at"


@admin.register(GatewayCallback)
class GatewayCallbackAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "order_id", "status", "signature_valid", "outcome", "topup"]
    list_filter = ["outcome", "signature_valid"]
    search_fields = ["order_id", "event_id", "topup__number"]
    date_hierarchy = "received_at"
