from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from emitra.accounts.models import User
from emitra.catalog.models import Department, DepartmentStaff


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ["code", "name_en", "name_hi", "is_active"]
    search_fields = ["code", "name_en", "name_hi"]
    list_filter = ["is_active"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Department]:
        queryset = super().get_queryset(request)
        user = request.user
        if not isinstance(user, User):
            return queryset.none()
        return queryset if user.is_statewide else queryset.filter(staff__user=user)


@admin.register(DepartmentStaff)
class DepartmentStaffAdmin(admin.ModelAdmin[DepartmentStaff]):
    list_display = ["user", "department"]
    list_filter = ["department"]
    autocomplete_fields = ["user"]
