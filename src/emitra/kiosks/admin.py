"""Back office, read-only: LSPs (registered through services.register_lsp), kiosks, their history,
complaints and ratings change only through the services and their pages."""

from __future__ import annotations

from django.contrib import admin

from emitra.core.admin import ReadOnlyAdmin
from emitra.kiosks.models import LSP, Complaint, Kiosk, KioskEvent, Rating


@admin.register(LSP)
class LSPAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "district", "created_at"]
    list_filter = ["district"]
    search_fields = ["name", "user__username"]


@admin.register(Kiosk)
class KioskAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kiosk_type", "category", "status", "district", "lsp"]
    list_filter = ["status", "kiosk_type", "category", "district"]
    search_fields = ["code", "name", "operator__username"]


@admin.register(KioskEvent)
class KioskEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kiosk", "action", "from_status", "to_status", "actor"]
    list_filter = ["action"]
    search_fields = ["kiosk__code"]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["number", "kiosk", "category", "state", "due_at", "created_at"]
    list_filter = ["state", "category", "district"]
    search_fields = ["number", "receipt_number", "kiosk__code"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["receipt_number", "kiosk", "stars", "created_at"]
    list_filter = ["stars"]
    search_fields = ["receipt_number", "kiosk__code"]
