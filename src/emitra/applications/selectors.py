"""Reads about applications, scoped to who asks (role, department, district)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import BooleanField, Case, DateTimeField, F, Q, QuerySet, Value, When
from django.utils import timezone

from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.applications import workflow
from emitra.applications.models import Application
from emitra.catalog.models import Service, ServiceStatus, ServiceType
from emitra.catalog.selectors import staff_department
from emitra.core.timeutil import IST

DEPARTMENT_ROLES = frozenset({Role.DEPARTMENT_OFFICER, Role.DEPARTMENT_ADMIN})
DUE_SOON = timedelta(hours=24)


def _base() -> QuerySet[Application]:
    return Application.objects.select_related(
        "service", "department", "district", "assigned_to", "submitted_by"
    )


def staff_scope(user: User) -> Q | None:
    """The department staff's scope as a filter: their department, and their district when
    they have one (an officer posted to a district); None when they have no department."""
    department = staff_department(user)
    if department is None:
        return None
    scope = Q(department=department)
    if user.district_id is not None:
        scope &= Q(district_id=user.district_id)
    return scope


def visible_to(user: User) -> QuerySet[Application]:
    """What `user` may read: their own (operator, citizen), their department's (staff), all
    (state admin, auditor — read only)."""
    apps = _base()
    if not user.is_authenticated:
        return apps.none()
    if user.is_statewide:
        return apps
    if user.role == Role.OPERATOR:
        return apps.filter(submitted_by=user)
    if user.role == Role.CITIZEN:
        return apps.filter(citizen=user)
    if user.role in DEPARTMENT_ROLES:
        scope = staff_scope(user)
        return apps.filter(scope) if scope is not None else apps.none()
    return apps.none()


def in_scope(user: User, application: Application) -> bool:
    """May `user` act on `application` at all (before the workflow's role check)?"""
    if user.role == Role.OPERATOR:
        return application.submitted_by_id == user.pk
    if user.role == Role.CITIZEN:
        return application.citizen_id == user.pk
    if user.role in DEPARTMENT_ROLES:
        department = staff_department(user)
        return (
            department is not None
            and department.pk == application.department_id
            and (user.district_id is None or user.district_id == application.district_id)
        )
    return False


def for_user(user: User, number: str) -> Application | None:
    return visible_to(user).filter(number=number.strip().upper()).first()


def waiting_on_citizen() -> Q:
    """Applications in a state that waits on the citizen (sent back), each judged by its own
    workflow definition (a ref without a file of its own runs the generic one)."""
    definitions = workflow.all_definitions()
    own_files = [d.ref for d in definitions if d.ref != workflow.GENERIC_REF]
    found: Q | None = None
    for definition in definitions:
        if not definition.citizen_states:
            continue
        of_ref = (
            ~Q(workflow_ref__in=own_files)
            if definition.ref == workflow.GENERIC_REF
            else Q(workflow_ref=definition.ref)
        )
        part = of_ref & Q(state__in=sorted(definition.citizen_states))
        found = part if found is None else found | part
    return found if found is not None else Q(pk__in=[])


def with_waiting_on(rows: QuerySet[Application]) -> QuerySet[Application]:
    """`rows` annotated with `waiting_on_citizen` and `department_due` (the due time that is
    the department's: none while the application waits on the citizen)."""
    citizen = waiting_on_citizen()
    return rows.annotate(
        waiting_on_citizen=Case(
            When(citizen, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        department_due=Case(
            When(citizen, then=Value(None)), default=F("due_at"), output_field=DateTimeField()
        ),
    )


@dataclass(frozen=True)
class InboxFilters:
    state: str = ""
    # "overdue", "due" (within a day), "ok" — the department's own clock — or "citizen"
    # (waiting on the citizen: sent back, never overdue for the department).
    sla: str = ""
    district: str = ""  # district slug
    service: str = ""  # service code
    assigned: str = ""  # "me", "none"
    q: str = ""  # part of the application number or of the applicant's name
    submitted_from: date | None = None  # IST calendar days, both ends included
    submitted_to: date | None = None
    open_only: bool = True


SLA_CHOICES = frozenset({"overdue", "due", "ok", "citizen"})


def ist_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=IST)


def filtered(
    rows: QuerySet[Application], filters: InboxFilters, *, user: User, now: datetime | None = None
) -> QuerySet[Application]:
    """`rows` narrowed by `filters`, annotated (`with_waiting_on`), oldest department due
    first (applications waiting on the citizen last)."""
    moment = now or timezone.now()
    citizen = waiting_on_citizen()
    rows = with_waiting_on(rows)
    if filters.state:
        rows = rows.filter(state=filters.state)
    elif filters.open_only:
        terminal = {s for d in workflow.all_definitions() for s in d.terminal_states}
        rows = rows.exclude(state__in=terminal)
    if filters.sla == "overdue":
        rows = rows.exclude(citizen).filter(due_at__lte=moment)
    elif filters.sla == "due":
        rows = rows.exclude(citizen).filter(due_at__gt=moment, due_at__lte=moment + DUE_SOON)
    elif filters.sla == "ok":
        rows = rows.exclude(citizen).filter(
            Q(due_at__isnull=True) | Q(due_at__gt=moment + DUE_SOON)
        )
    elif filters.sla == "citizen":
        rows = rows.filter(citizen)
    if filters.district:
        rows = rows.filter(district__slug=filters.district)
    if filters.service:
        rows = rows.filter(service__code=filters.service)
    if filters.assigned == "me":
        rows = rows.filter(assigned_to=user)
    elif filters.assigned == "none":
        rows = rows.filter(assigned_to__isnull=True)
    if filters.q:
        rows = rows.filter(Q(number__icontains=filters.q) | Q(applicant_name__icontains=filters.q))
    if filters.submitted_from is not None:
        rows = rows.filter(submitted_at__gte=ist_day_start(filters.submitted_from))
    if filters.submitted_to is not None:
        rows = rows.filter(submitted_at__lt=ist_day_start(filters.submitted_to + timedelta(days=1)))
    return rows.order_by(
        F("department_due").asc(nulls_last=True),
        F("due_at").asc(nulls_last=True),
        "submitted_at",
        "pk",
    )


def inbox(
    user: User, filters: InboxFilters, *, now: datetime | None = None
) -> QuerySet[Application]:
    """The department's work list, oldest due first; applications waiting on the citizen are
    never overdue here (their clock is the citizen's) and come last."""
    rows = visible_to(user) if user.role in DEPARTMENT_ROLES else _base().none()
    return filtered(rows, filters, user=user, now=now)


def statewide(
    user: User, filters: InboxFilters, *, now: datetime | None = None
) -> QuerySet[Application]:
    """Every application, for the state admin and the auditor (read only); `open_only` as
    the filters say (the statewide list shows finished ones too by default)."""
    rows = visible_to(user) if user.is_statewide else _base().none()
    return filtered(rows, filters, user=user, now=now)


def filed_by(user: User, filters: InboxFilters) -> QuerySet[Application]:
    """The applications an operator filed (the kiosk's list), newest first, filtered by
    status, submission days and number/name."""
    rows = visible_to(user) if user.role == Role.OPERATOR else _base().none()
    return filtered(rows, filters, user=user).order_by("-submitted_at", "-pk")


def assignable_officers(application: Application) -> QuerySet[User]:
    """Officers of the application's department whose district (if any) is the application's."""
    return (
        User.objects.filter(
            is_active=True,
            role__in=list(DEPARTMENT_ROLES),
            department_staff__department_id=application.department_id,
        )
        .filter(Q(district__isnull=True) | Q(district_id=application.district_id))
        .order_by("full_name")
    )


def department_admins(application: Application) -> QuerySet[User]:
    return assignable_officers(application).filter(role=Role.DEPARTMENT_ADMIN)


def applicable_services() -> QuerySet[Service]:
    """G2C/G2B services a kiosk can file an application for (active, with a workflow)."""
    return (
        Service.objects.filter(
            status=ServiceStatus.ACTIVE,
            service_type__in=[ServiceType.G2C, ServiceType.G2B],
            versions__workflow_ref__gt="",
        )
        .select_related("department", "category")
        .distinct()
        .order_by("name_en")
    )


def applicable_by(role: str) -> QuerySet[Service]:
    """The applicable services whose workflow lets `role` submit (citizens: most of them)."""
    refs = [d.ref for d in workflow.all_definitions() if role in d.actions["submit"].roles]
    return applicable_services().filter(versions__workflow_ref__in=refs)
