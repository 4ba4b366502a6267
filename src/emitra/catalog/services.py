"""Writes to the catalog: each act one transaction with its audit row.

Who may do what: a department admin changes only their own department's services and drafts;
the state admin changes everything, and alone the rate card and commission rules. ``actor``
``None`` means the system itself (the catalog import, demo data).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.catalog import catalogfile, formschema, search, selectors
from emitra.catalog.models import (
    BASIS_POINTS,
    KIOSK_CATEGORIES,
    Channel,
    ChargeRule,
    CommissionRule,
    CommissionSplitFields,
    Department,
    DepartmentStaff,
    PublishStatus,
    RateCard,
    Service,
    ServiceStatus,
    ServiceVersion,
    VersionFee,
)
from emitra.core import audit
from emitra.core.errors import Conflict, InvalidInput, PermissionDenied


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


# --- who may ---------------------------------------------------------------------------------


def is_state_admin(actor: User | None) -> bool:
    return actor is None or actor.is_superuser or actor.role == Role.STATE_ADMIN


def may_edit_department(actor: User | None, department: Department | None) -> bool:
    if is_state_admin(actor):
        return True
    assert actor is not None
    return (
        actor.role == Role.DEPARTMENT_ADMIN
        and department is not None
        and selectors.staff_department(actor) == department
    )


def _require_department(actor: User | None, department: Department | None) -> None:
    if not may_edit_department(actor, department):
        raise PermissionDenied(
            "catalog.not_your_department",
            _("You can change only your own department's services."),
        )


def _require_state_admin(actor: User | None) -> None:
    if not is_state_admin(actor):
        raise PermissionDenied(
            "catalog.state_admin_only",
            _("Only the state admin changes the rate card and commission rules."),
        )


def _snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "code"):
        return value.code
    if hasattr(value, "pk"):
        return value.pk
    return value


# --- services --------------------------------------------------------------------------------

SERVICE_FIELDS = [
    "code",
    "department",
    "category",
    "service_type",
    "name_en",
    "name_hi",
    "description_en",
    "description_hi",
    "eligibility_en",
    "eligibility_hi",
    "sla_days",
    "channels",
    "keywords",
    "status",
]


@transaction.atomic
def save_service(*, actor: User | None, service: Service) -> Service:
    """Create or change a service's description (not its money: that is in versions)."""
    before = None
    if service.pk is not None:
        stored = Service.objects.select_for_update().get(pk=service.pk)
        _require_department(actor, stored.department)  # may not take another's service
        before = _snapshot(stored, SERVICE_FIELDS)
    _require_department(actor, service.department)
    unknown = [c for c in service.channels if c not in Channel.values]
    if not service.channels or unknown:
        raise InvalidInput("catalog.channels", _("Choose at least one known channel."))
    if not service.name_hi.strip() or not service.name_en.strip():
        raise InvalidInput("catalog.names", _("A service needs its Hindi and English names."))
    service.save()
    audit.record(
        actor=actor,
        action="catalog.service_created" if before is None else "catalog.service_saved",
        obj=service,
        before=before,
        after=_snapshot(service, SERVICE_FIELDS),
    )
    transaction.on_commit(search.invalidate)
    return service


@transaction.atomic
def set_service_status(*, actor: User | None, service: Service, status: str) -> Service:
    if status not in ServiceStatus.values:
        raise InvalidInput("catalog.status", _("Unknown status."))
    _require_department(actor, service.department)
    before = service.status
    service.status = status
    service.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="catalog.service_status",
        obj=service,
        before={"status": before},
        after={"status": status},
    )
    transaction.on_commit(search.invalidate)
    return service


# --- versions --------------------------------------------------------------------------------

VERSION_FIELDS = [
    "number",
    "status",
    "effective_from",
    "effective_to",
    "charge_rule",
    "service_charge",
    "collects_amount",
    "collection_head",
    "tax_rate_bp",
    "commission_rule",
    "form_ref",
    "workflow_ref",
    "notes",
]


@transaction.atomic
def create_draft_version(
    *, actor: User | None, service: Service, effective_from: datetime | None = None
) -> ServiceVersion:
    """A new draft copying the latest published version (fees, form, rule) to edit."""
    _require_department(actor, service.department)
    Service.objects.select_for_update().filter(pk=service.pk).first()
    latest = (
        ServiceVersion.objects.filter(service=service, status=PublishStatus.PUBLISHED)
        .order_by("-effective_from")
        .first()
    )
    number = (service.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = ServiceVersion(
        service=service,
        number=number,
        status=PublishStatus.DRAFT,
        effective_from=effective_from or timezone.now() + timedelta(days=1),
        charge_rule=latest.charge_rule if latest else ChargeRule.G2C_APPLICATION,
        service_charge=latest.service_charge if latest else 0,
        collects_amount=latest.collects_amount if latest else False,
        collection_head=latest.collection_head if latest else None,
        tax_rate_bp=latest.tax_rate_bp if latest else 0,
        commission_rule=latest.commission_rule if latest else None,
        form_ref=latest.form_ref if latest else "",
        form_schema=latest.form_schema if latest else {},
        workflow_ref=latest.workflow_ref if latest else "",
        created_by=actor,
    )
    draft.save()
    if latest is not None:
        VersionFee.objects.bulk_create(
            VersionFee(
                version=draft, revenue_head=f.revenue_head, amount=f.amount, sort_order=f.sort_order
            )
            for f in latest.fees.all()
        )
    audit.record(
        actor=actor,
        action="catalog.version_drafted",
        obj=draft,
        after=_snapshot(draft, VERSION_FIELDS),
    )
    return draft


def check_version(version: ServiceVersion) -> None:
    """What a version must satisfy to be published (the import checks the same rules)."""
    if version.charge_rule not in ChargeRule.values:
        raise InvalidInput("catalog.charge_rule", _("Unknown service charge rule."))
    if version.collects_amount and version.collection_head is None:
        raise InvalidInput(
            "catalog.collection_head",
            _("A version that collects an amount names the revenue head it goes to."),
        )
    if version.charge_rule == ChargeRule.BILL_DEPARTMENT_PAID and not version.collects_amount:
        raise InvalidInput(
            "catalog.bill_collects", _("A department-paid bill collects the bill amount.")
        )
    if version.charge_rule != ChargeRule.FIXED and version.service_charge:
        raise InvalidInput(
            "catalog.fixed_only", _("Only a fixed charge has its amount on the version.")
        )
    if version.service_charge < 0 or not 0 <= version.tax_rate_bp <= BASIS_POINTS:
        raise InvalidInput("catalog.amounts", _("Amounts and rates cannot be negative."))
    problems = formschema.check_schema(version.form_schema)
    if problems:
        where, message = problems[0]
        raise InvalidInput(
            "catalog.form_schema",
            _("The form is not valid at %(where)s: %(message)s")
            % {"where": where or "/", "message": message},
        )


@transaction.atomic
def save_draft_version(*, actor: User | None, version: ServiceVersion) -> ServiceVersion:
    """Change a draft. A published version is never edited: make a new draft instead."""
    _require_department(actor, version.service.department)
    if version.pk is not None:
        stored = ServiceVersion.objects.select_for_update().get(pk=version.pk)
        if stored.status != PublishStatus.DRAFT or stored.service_id != version.service_id:
            raise Conflict(
                "catalog.version_published",
                _("A published version cannot change; make a new version instead."),
            )
        before = _snapshot(stored, VERSION_FIELDS)
    else:
        before = None
        version.created_by = actor
    version.status = PublishStatus.DRAFT
    version.form_schema = formschema.with_order(version.form_schema)
    version.save()
    audit.record(
        actor=actor,
        action="catalog.version_saved",
        obj=version,
        before=before,
        after=_snapshot(version, VERSION_FIELDS),
    )
    return version


def _close_previous(
    model: type[ServiceVersion] | type[RateCard],
    scope: Q,
    effective_from: datetime,
    label: str,
) -> dict[str, Any] | None:
    """End the published row in force at ``effective_from`` there; refuse if a later row is
    already scheduled. Returns what changed (for the audit row)."""
    published: Any = model.objects.select_for_update().filter(scope, status=PublishStatus.PUBLISHED)
    if published.filter(effective_from__gte=effective_from).exists():
        raise Conflict(
            "catalog.later_version_exists",
            _("A later %(what)s is already scheduled; publish from after it.") % {"what": label},
        )
    current = (
        published.filter(Q(effective_to__isnull=True) | Q(effective_to__gt=effective_from))
        .order_by("-effective_from")
        .first()
    )
    if current is None:
        return None
    before = current.effective_to
    current.effective_to = effective_from
    current.save(update_fields=["effective_to"])
    return {
        "closed": current.pk,
        "was_until": before.isoformat() if before else None,
        "now_until": effective_from.isoformat(),
    }


@transaction.atomic
def publish_version(
    *,
    actor: User | None,
    version: ServiceVersion,
    effective_from: datetime,
    allow_past: bool = False,
) -> ServiceVersion:
    """Put a draft in force from ``effective_from`` (not in the past: a past transaction must
    stay explained by the version that was in force), ending the version before it there."""
    _require_department(actor, version.service.department)
    Service.objects.select_for_update().filter(pk=version.service_id).first()
    version = ServiceVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != PublishStatus.DRAFT:
        raise Conflict("catalog.already_published", _("This version is already published."))
    now = timezone.now()
    if effective_from < now and not allow_past:
        raise InvalidInput(
            "catalog.effective_in_past", _("A version takes effect now or later, never earlier.")
        )
    check_version(version)
    closed = _close_previous(
        ServiceVersion, Q(service_id=version.service_id), effective_from, str(_("version"))
    )
    _mark_published(version, effective_from=effective_from, actor=actor, now=now)
    audit.record(
        actor=actor,
        action="catalog.version_published",
        obj=version,
        after={**_snapshot(version, VERSION_FIELDS), "previous": closed},
    )
    return version


def _mark_published(
    record: ServiceVersion | RateCard,
    *,
    effective_from: datetime,
    actor: User | None,
    now: datetime,
) -> None:
    """A draft becomes the record in force from `effective_from`, open-ended."""
    record.status = PublishStatus.PUBLISHED
    record.effective_from = effective_from
    record.effective_to = None
    record.published_at = now
    record.published_by = actor
    record.save()


# --- rate card and commission rules (state admin) -------------------------------------------

RATE_CARD_FIELDS = [
    "status",
    "effective_from",
    "effective_to",
    "g2c_application_charge",
    "g2b_application_charge",
    "collection_base_charge",
    "collection_base_limit",
    "collection_step_charge",
    "collection_step_size",
    "certificate_print_charge",
    "pvc_card_charge",
    *[f"{p}_{c.lower()}_bp" for c in KIOSK_CATEGORIES for p in ("kiosk", "lsp", "state")],
]


def check_split(policy: CommissionSplitFields) -> None:
    for category, split in policy.splits().items():
        if min(split.kiosk, split.lsp, split.state) < 0 or (
            split.kiosk + split.lsp + split.state != BASIS_POINTS
        ):
            raise InvalidInput(
                "catalog.split_sum",
                _("Category %(category)s: the kiosk, LSP and state shares must add up to 100%%.")
                % {"category": category},
            )


@transaction.atomic
def save_rate_card_draft(*, actor: User | None, rate_card: RateCard) -> RateCard:
    _require_state_admin(actor)
    before = None
    if rate_card.pk is not None:
        stored = RateCard.objects.select_for_update().get(pk=rate_card.pk)
        if stored.status != PublishStatus.DRAFT:
            raise Conflict(
                "catalog.rate_card_published",
                _("A published rate card cannot change; make a new one instead."),
            )
        before = _snapshot(stored, RATE_CARD_FIELDS)
    else:
        rate_card.created_by = actor
    check_split(rate_card)
    rate_card.status = PublishStatus.DRAFT
    rate_card.save()
    audit.record(
        actor=actor,
        action="catalog.rate_card_saved",
        obj=rate_card,
        before=before,
        after=_snapshot(rate_card, RATE_CARD_FIELDS),
    )
    return rate_card


@transaction.atomic
def publish_rate_card(
    *, actor: User | None, rate_card: RateCard, effective_from: datetime, allow_past: bool = False
) -> RateCard:
    _require_state_admin(actor)
    rate_card = RateCard.objects.select_for_update().get(pk=rate_card.pk)
    if rate_card.status != PublishStatus.DRAFT:
        raise Conflict("catalog.already_published", _("This rate card is already published."))
    now = timezone.now()
    if effective_from < now and not allow_past:
        raise InvalidInput(
            "catalog.effective_in_past",
            _("A rate card takes effect now or later, never earlier."),
        )
    check_split(rate_card)
    closed = _close_previous(RateCard, Q(), effective_from, str(_("rate card")))
    _mark_published(rate_card, effective_from=effective_from, actor=actor, now=now)
    audit.record(
        actor=actor,
        action="catalog.rate_card_published",
        obj=rate_card,
        after={**_snapshot(rate_card, RATE_CARD_FIELDS), "previous": closed},
    )
    return rate_card


RULE_FIELDS = ["code", "name_en", "name_hi", *RATE_CARD_FIELDS[-9:]]


@transaction.atomic
def save_commission_rule(*, actor: User | None, rule: CommissionRule) -> CommissionRule:
    """Create or change a named split; one that a published version uses never changes its
    shares (that would re-price the past): make a new rule and a new version."""
    _require_state_admin(actor)
    check_split(rule)
    before = None
    if rule.pk is not None:
        stored = CommissionRule.objects.select_for_update().get(pk=rule.pk)
        before = _snapshot(stored, RULE_FIELDS)
        in_use = stored.versions.filter(status=PublishStatus.PUBLISHED).exists()
        if in_use and stored.splits() != rule.splits():
            raise Conflict(
                "catalog.rule_in_use",
                _("Published versions use this rule; make a new rule instead."),
            )
    rule.save()
    audit.record(
        actor=actor,
        action="catalog.commission_rule_saved",
        obj=rule,
        before=before,
        after=_snapshot(rule, RULE_FIELDS),
    )
    return rule


# --- the catalog file ------------------------------------------------------------------------


def import_catalog(*, text: str, actor: User | None = None) -> catalogfile.ImportResult:
    """Validate a whole catalog file and apply all of it or nothing (see ``catalogfile``)."""
    if actor is not None:
        _require_state_admin(actor)
    return catalogfile.import_catalog(text, actor=actor)
