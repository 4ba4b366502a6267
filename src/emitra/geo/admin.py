"""Back-office views of the geography. The rows come from ``emitra load_geo``, so the admin
shows them read-only: a hand edit would be overwritten by the next load anyway."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from emitra.geo.models import Block, District, GramPanchayat, Tehsil, UrbanBody


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Browse and search only; the loader is the one writer of master data."""

    list_per_page = 100

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(District)
class DistrictAdmin(ReadOnlyAdmin):
    list_display = ("name_en", "name_hi", "slug", "lgd_code", "division", "status", "carved_from")
    list_filter = ("status", "division")
    search_fields = ("name_en", "name_hi", "name_hi_variant", "slug")
    list_select_related = ("carved_from",)


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    list_display = ("name_en", "lgd_code", "district")
    list_filter = ("district",)
    search_fields = ("name_en", "=lgd_code")
    list_select_related = ("district",)


@admin.register(Tehsil)
class TehsilAdmin(ReadOnlyAdmin):
    list_display = ("name_en", "lgd_code", "district")
    list_filter = ("district",)
    search_fields = ("name_en", "=lgd_code")
    list_select_related = ("district",)


@admin.register(GramPanchayat)
class GramPanchayatAdmin(ReadOnlyAdmin):
    list_display = ("name_en", "lgd_code", "panchayat_samiti_name", "block", "district")
    list_filter = ("district",)
    search_fields = ("name_en", "panchayat_samiti_name", "=lgd_code")
    list_select_related = ("block", "district")


@admin.register(UrbanBody)
class UrbanBodyAdmin(ReadOnlyAdmin):
    list_display = ("name_en", "name_hi", "body_type", "lgd_code", "district")
    list_filter = ("body_type", "district")
    search_fields = ("name_en", "name_hi", "=lgd_code")
    list_select_related = ("district",)
