"""Back office: read-only views of the register (writes go through kiosk requests)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from emitra.registry.models import AccessRecord, ChangeRequest, Family, Member


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Family)
class FamilyAdmin(ReadOnly):
    list_display = ["family_id", "district", "created_at"]
    search_fields = ["family_id"]
    exclude = ["mobile"]


@admin.register(Member)
class MemberAdmin(ReadOnly):
    list_display = ["member_id", "name_en", "relation", "family"]
    search_fields = ["member_id", "name_en"]
    exclude = ["bank_account_cipher", "aadhaar"]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnly):
    list_display = ["number", "kind", "state", "district", "submitted_at"]
    list_filter = ["state", "kind"]
    exclude = ["payload"]


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnly):
    list_display = ["at", "family", "accessor_label", "purpose", "what"]
