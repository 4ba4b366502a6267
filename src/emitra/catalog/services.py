"""Writes to the catalog."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.catalog.models import Department, DepartmentStaff
from emitra.core import audit
from emitra.core.errors import InvalidInput


@transaction.atomic
def save_department(
    *, code: str, name_en: str, name_hi: str, actor: User | None = None
) -> Department:
    """Create or rename a department by its code (idempotent, for demo and imports)."""
    department, created = Department.objects.update_or_create(
        code=code, defaults={"name_en": name_en, "name_hi": name_hi}
    )
    audit.record(
        actor=actor,
        action="catalog.department_created" if created else "catalog.department_saved",
        obj=department,
        after={"code": code, "name_en": name_en, "name_hi": name_hi},
    )
    return department


@transaction.atomic
def assign_department_staff(
    *, user: User, department: Department, actor: User | None = None
) -> DepartmentStaff:
    if user.role not in (Role.DEPARTMENT_OFFICER, Role.DEPARTMENT_ADMIN):
        raise InvalidInput(
            "catalog.not_department_role",
            _("Only department officers and admins belong to a department."),
        )
    staff, _created = DepartmentStaff.objects.update_or_create(
        user=user, defaults={"department": department}
    )
    audit.record(
        actor=actor,
        action="catalog.staff_assigned",
        obj=staff,
        after={"user": user.pk, "department": department.code},
    )
    return staff
