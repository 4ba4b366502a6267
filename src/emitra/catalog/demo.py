"""Demo departments and their staff."""

from __future__ import annotations

from django.db import transaction

from emitra.accounts.models import User
from emitra.catalog import services
from emitra.catalog.models import Department

DEPARTMENTS = [
    ("revenue", "Revenue Department", "राजस्व विभाग"),
    ("energy", "Energy Department", "ऊर्जा विभाग"),
    ("phed", "Public Health Engineering Department", "जन स्वास्थ्य अभियांत्रिकी विभाग"),
    ("sje", "Social Justice and Empowerment Department", "सामाजिक न्याय एवं अधिकारिता विभाग"),
    ("doitc", "Department of IT and Communication", "सूचना प्रौद्योगिकी एवं संचार विभाग"),
]


@transaction.atomic
def ensure_demo_departments(staff: dict[str, str]) -> int:
    for code, name_en, name_hi in DEPARTMENTS:
        services.save_department(code=code, name_en=name_en, name_hi=name_hi)
    assigned = 0
    for username, code in staff.items():
        user = User.objects.filter(username=username).first()
        if user is not None and not hasattr(user, "department_staff"):
            department = Department.objects.get(code=code)
            services.assign_department_staff(user=user, department=department)
            assigned += 1
    return assigned
