"""Reads from the catalog: staff pages scoped to the viewer; public pages see what is offered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.catalog.models import (
    Category,
    Department,
    PublishStatus,
    RateCard,
    Service,
    ServiceDocument,
    ServiceStatus,
    ServiceVersion,
    VersionFee,
)


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


def staff_department(user: User) -> Department | None:
    """The department a department officer or admin works for, if any."""
    staff = getattr(user, "department_staff", None)
    return staff.department if staff is not None else None


def services_editable_by(user: User) -> QuerySet[Service]:
    """The state admin edits every service; a department admin only their department's."""
    services = Service.objects.select_related("department", "category")
    if user.is_superuser or user.role == Role.STATE_ADMIN:
        return services
    if user.role == Role.AUDITOR:
        return services  # read-only: the admin's permissions stop any change
    department = staff_department(user)
    return services.filter(department=department) if department else services.none()


# --- what is in force ----------------------------------------------------------------------


def _in_force(moment: datetime) -> Q:
    return Q(status=PublishStatus.PUBLISHED, effective_from__lte=moment) & (
        Q(effective_to__isnull=True) | Q(effective_to__gt=moment)
    )


def version_in_force(service: Service, at: datetime | None = None) -> ServiceVersion | None:
    """The published version of ``service`` whose range contains ``at`` (now by default)."""
    moment = at or timezone.now()
    return (
        ServiceVersion.objects.filter(_in_force(moment), service=service)
        .select_related("collection_head", "commission_rule", "service")
        .prefetch_related(
            Prefetch("fees", queryset=VersionFee.objects.select_related("revenue_head"))
        )
        .first()
    )


def rate_card_in_force(at: datetime | None = None) -> RateCard | None:
    return RateCard.objects.filter(_in_force(at or timezone.now())).first()


def rate_cards() -> QuerySet[RateCard]:
    return RateCard.objects.order_by("-effective_from")


# --- public pages ----------------------------------------------------------------------------


def offered_services() -> QuerySet[Service]:
    return (
        Service.objects.filter(status=ServiceStatus.ACTIVE)
        .select_related("department", "category")
        .order_by("name_en")
    )


@dataclass(frozen=True)
class Group:
    """A department or category with how many services it offers."""

    code: str
    name: str
    services: int


def departments_with_services() -> list[Group]:
    rows = (
        Department.objects.filter(is_active=True)
        .annotate(n=Count("services", filter=Q(services__status=ServiceStatus.ACTIVE)))
        .filter(n__gt=0)
        .order_by("name_en")
    )
    return [Group(code=d.code, name=d.name, services=d.n) for d in rows]


def categories_with_services() -> list[Group]:
    rows = (
        Category.objects.annotate(
            n=Count("services", filter=Q(services__status=ServiceStatus.ACTIVE))
        )
        .filter(n__gt=0)
        .order_by("sort_order", "name_en")
    )
    return [Group(code=c.code, name=c.name, services=c.n) for c in rows]


def public_department(code: str) -> Department:
    department = Department.objects.filter(code=code, is_active=True).first()
    if department is None:
        raise Http404(code)
    return department


def public_category(code: str) -> Category:
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise Http404(code)
    return category


def public_service(code: str) -> Service:
    """An offered service with its documents, or 404 (drafts and withdrawn ones included)."""
    service = (
        offered_services()
        .filter(code=code)
        .prefetch_related(
            Prefetch("documents", queryset=ServiceDocument.objects.select_related("document_type"))
        )
        .first()
    )
    if service is None:
        raise Http404(code)
    return service


def services_by_code(codes: list[str]) -> list[Service]:
    """Services in the order of ``codes`` (search results), in one query."""
    found = {s.code: s for s in offered_services().filter(code__in=codes)}
    return [found[c] for c in codes if c in found]


def versions_in_force_for_offered(at: datetime | None = None) -> list[ServiceVersion]:
    """The version in force of every offered service, in one query (plus its fees)."""
    return list(
        ServiceVersion.objects.filter(_in_force(at or timezone.now()))
        .filter(service__status=ServiceStatus.ACTIVE)
        .select_related("service__department", "service__category", "collection_head")
        .prefetch_related(
            Prefetch("fees", queryset=VersionFee.objects.select_related("revenue_head"))
        )
    )
