"""Read-only back office: settlements and mismatches change only through services (the
mismatch report's resolve action is audited)."""

from __future__ import annotations

from django.contrib import admin

from emitra.core.admin import ReadOnlyAdmin
from emitra.settlement.models import Mismatch, ReconciliationRun, Settlement


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = ["number", "department", "day", "total", "created_at"]
    list_filter = ["day"]
    search_fields = ["number", "department__code"]
    exclude = ["file_csv"]


@admin.register(Mismatch)
class MismatchAdmin(ReadOnlyAdmin):
    list_display = ["day", "source", "partner", "reference", "kind", "order_kind", "state"]
    list_filter = ["source", "state", "kind", "order_kind"]
    search_fields = ["reference"]


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = ["day", "source", "partner", "rows", "mismatches", "ran_at"]
