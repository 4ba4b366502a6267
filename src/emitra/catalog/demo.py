"""Demo catalog: the shipped catalog file (departments, services, rate card) and the demo
department staff. The demo officers belong to ``revenue`` and ``phed``, both in the file."""

from __future__ import annotations

from django.db import transaction

from emitra.accounts.models import User
from emitra.catalog import catalogfile, services
from emitra.catalog.models import Department


@transaction.atomic
def ensure_demo_catalog() -> catalogfile.ImportResult:
    """Load ``catalog/data/catalog.json``; a second run changes nothing."""
    return catalogfile.load_shipped_catalog()


@transaction.atomic
def ensure_demo_departments(staff: dict[str, str]) -> int:
    """Assign the demo staff to their departments (loading the catalog first if needed)."""
    missing = set(staff.values()) - set(
        Department.objects.filter(code__in=staff.values()).values_list("code", flat=True)
    )
    if missing:
        ensure_demo_catalog()
    assigned = 0
    for username, code in staff.items():
        user = User.objects.filter(username=username).first()
        if user is not None and not hasattr(user, "department_staff"):
            department = Department.objects.get(code=code)
            services.assign_department_staff(user=user, department=department)
            assigned += 1
    return assigned
