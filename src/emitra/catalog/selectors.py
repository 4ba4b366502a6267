"""Reads from the catalog, scoped to the asking user."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import Http404

from emitra.accounts.models import User
from emitra.catalog.models import Department


def departments_visible_to(viewer: User) -> QuerySet[Department]:
    """Statewide roles see all departments; department staff only their own."""
    departments = Department.objects.annotate(staff_count=Count("staff")).order_by("name_en")
    if viewer.is_statewide:
        return departments
    return departments.filter(staff__user=viewer)


def department_for(viewer: User, code: str) -> Department:
    """One department, or 404 — also for departments that exist but are not the viewer's,
    so that a URL cannot be used to learn which codes exist."""
    department = departments_visible_to(viewer).filter(code=code).first()
    if department is None:
        raise Http404(code)
    return department
