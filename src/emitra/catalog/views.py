"""Department pages for department staff and the state."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from emitra.accounts.access import allow
from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.catalog import selectors
from emitra.core.exports import csv_response

_STAFF = (Role.STATE_ADMIN, Role.AUDITOR, Role.DEPARTMENT_ADMIN, Role.DEPARTMENT_OFFICER)


@allow(*_STAFF, reason="department staff see their own department; the state sees all")
def departments(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    assert isinstance(viewer, User)
    rows = selectors.departments_visible_to(viewer)
    query = request.GET.get("q", "").strip()[:60]
    if query:
        rows = rows.filter(name_en__icontains=query) | rows.filter(name_hi__icontains=query)
    if request.GET.get("format") == "csv":
        return csv_response(
            "emitra-departments.csv",
            ["code", "name_en", "name_hi", "active", "staff"],
            (
                (d.code, d.name_en, d.name_hi, d.is_active, getattr(d, "staff_count", 0))
                for d in rows
            ),
        )
    return render(request, "catalog/departments.html", {"departments": rows, "q": query})


@allow(*_STAFF, reason="a department's own staff, or statewide roles")
def department(request: HttpRequest, code: str) -> HttpResponse:
    viewer = request.user
    assert isinstance(viewer, User)
    found = selectors.department_for(viewer, code)
    staff = found.staff.select_related("user").order_by("user__full_name")
    return render(request, "catalog/department.html", {"department": found, "staff": staff})
