from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from emitra.accounts.models import User
from emitra.accounts.selectors import users_visible_to


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    ordering = ["username"]
    list_display = ["username", "full_name", "role", "district", "masked_mobile", "is_active"]
    list_filter = ["role", "is_active", "district"]
    search_fields = ["username", "full_name", "mobile"]
    readonly_fields = ["last_login", "date_joined", "is_staff"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "mobile", "preferred_language")}),
        (_("Role and scope"), {"fields": ("role", "district", "is_active", "is_staff")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "role",
                    "district",
                    "mobile",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return users_visible_to(request.user)  # type: ignore[arg-type]
