"""Back-office views of the geography.

The rows come from ``emitra load_geo``: the admin adds and deletes nothing, and the keys the
loader matches on (slug, LGD codes) are read-only. Other fields follow the role permissions,
but a hand edit lasts only until the next load; lasting fixes belong in ``geo/data/``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from emitra.geo.models import Block, District, GramPanchayat, Tehsil, UrbanBody


class LoadedDataAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Browse and search; rows are created and removed only by the loader."""

    list_per_page = 100

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(District)
class DistrictAdmin(LoadedDataAdmin):
    list_display = ("name_en", "name_hi", "slug", "lgd_code", "division", "status", "carved_from")
    list_filter = ("status", "division")
    search_fields = ("name_en", "name_hi", "name_hi_variant", "slug")
    list_select_related = ("carved_from",)
    readonly_fields = ("slug", "lgd_code")


@admin.register(Block)
class BlockAdmin(LoadedDataAdmin):
    list_display = ("name_en", "lgd_code", "district")
    list_filter = ("district",)
    search_fields = ("name_en", "=lgd_code")
    list_select_related = ("district",)
    readonly_fields = ("lgd_code",)


@admin.register(Tehsil)
class TehsilAdmin(LoadedDataAdmin):
    list_display = ("name_en", "lgd_code", "district")
    list_filter = ("district",)
    search_fields = ("name_en", "=lgd_code")
    list_select_related = ("district",)
    readonly_fields = ("lgd_code",)


@admin.register(GramPanchayat)
class GramPanchayatAdmin(LoadedDataAdmin):
    list_display = ("name_en", "lgd_code", "panchayat_samiti_name", "block", "district")
    list_filter = ("district",)
    search_fields = ("name_en", "panchayat_samiti_name", "=lgd_code")
    list_select_related = ("block", "district")
    readonly_fields = ("lgd_code",)
    raw_id_fields = ("block",)


@admin.register(UrbanBody)
class UrbanBodyAdmin(LoadedDataAdmin):
    list_display = ("name_en", "name_hi", "body_type", "lgd_code", "district")
    list_filter = ("body_type", "district")
    search_fields = ("name_en", "name_hi", "=lgd_code")
    list_select_related = ("district",)
    readonly_fields = ("lgd_code",)
