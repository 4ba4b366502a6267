"""Reads of the family registry, each scoped to the one asking.

A family's data is read only through a live consent grant, and ``prefill_for`` and
``family_schemes`` write the access record themselves: recording is part of reading, so no
caller can read without leaving a trace the family sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.core.errors import InvalidInput
from emitra.geo.models import District
from emitra.registry import eligibility, services
from emitra.registry.models import (
    AccessRecord,
    AccessWhat,
    ChangeKind,
    ChangeRequest,
    ChangeState,
    ConsentGrant,
    Family,
    HistoryEntry,
    MaritalStatus,
    Member,
    Relation,
)

CHILD_RELATIONS = {Relation.SON, Relation.DAUGHTER, Relation.GRANDCHILD, Relation.OTHER}
PARENT_RELATIONS = {Relation.HEAD, Relation.SPOUSE}


def _member_of(grant: ConsentGrant, member_id: str | None) -> Member:
    members = grant.family.members.all()
    if grant.member_id is not None:
        members = members.filter(pk=grant.member_id)
    if member_id:
        members = members.filter(member_id=member_id)
    else:
        members = members.filter(relation=Relation.HEAD) if grant.member_id is None else members
    found = members.first()
    if found is None:
        raise InvalidInput(
            "registry.member_not_granted", _("The family's consent does not cover this member.")
        )
    return found


def prefill_for(grant: ConsentGrant, *, member_id: str | None = None) -> dict[str, Any]:
    """Application-form values for one member (the head unless named), keyed like the
    catalog's form fields. Refused once the grant has expired; every call is recorded."""
    if not grant.is_live():
        raise services.ConsentExpired()
    member = _member_of(grant, member_id)
    family = grant.family
    services.record_access(grant=grant, member=member, what=AccessWhat.PREFILL)
    return {
        "applicant_name": member.name_en,
        "applicant_name_hi": member.name_hi,
        "relative_name": member.relative_name_en,
        "relative_name_hi": member.relative_name_hi,
        "date_of_birth": member.date_of_birth.isoformat(),
        "gender": member.gender,
        "category": member.category,
        "caste_category": member.category if member.category in ("sc", "st", "obc", "mbc") else "",
        "annual_income": member_income_rupees(family),
        "jan_aadhaar": family.family_id,
        "member_id": member.member_id,
        "mobile": family.mobile,
        "district": family.district.slug,
        "block": str(family.block.lgd_code) if family.block else "",
        "gram_panchayat": str(family.gram_panchayat.lgd_code) if family.gram_panchayat else "",
        "urban_body": str(family.urban_body.lgd_code) if family.urban_body else "",
        "address": family.address,
        "pincode": family.pincode,
        "ifsc": member.ifsc,
        "bank_account_masked": member.masked_bank_account,
        "aadhaar_masked": member.aadhaar.masked if member.aadhaar else "",
    }


def family_income(family: Family) -> int:
    """The family's annual income in paise: the sum of its members' incomes."""
    return sum(m.annual_income for m in family.members.all())


def member_income_rupees(family: Family) -> int:
    return family_income(family) // 100


def facts_for(member: Member, *, today: date | None = None) -> dict[str, Any]:
    """The facts the eligibility rules test, for one member of a registered family."""
    today = today or timezone.localdate()
    family = member.family
    members = list(family.members.all())
    widowed_parent = member.relation in CHILD_RELATIONS and any(
        other.relation in PARENT_RELATIONS and other.marital_status == MaritalStatus.WIDOWED
        for other in members
        if other.pk != member.pk
    )
    return {
        "age": member.age_on(today),
        "gender": member.gender,
        "category": member.category,
        "income": sum(m.annual_income for m in members),
        "disability": member.disability_percent,
        "marital_status": member.marital_status,
        "widowed": member.marital_status == MaritalStatus.WIDOWED,
        "widowed_parent": widowed_parent,
        "district": family.district.slug,
        "relation": member.relation,
        "occupation": member.occupation,
    }


@dataclass(frozen=True)
class MemberSchemes:
    member: Member
    age: int
    answers: list[eligibility.Answer]

    @property
    def eligible(self) -> list[eligibility.Answer]:
        return [a for a in self.answers if a.eligible]

    @property
    def not_eligible(self) -> list[eligibility.Answer]:
        return [a for a in self.answers if not a.eligible]


def family_schemes(grant: ConsentGrant) -> list[MemberSchemes]:
    """Every member's verdict on every scheme (recorded as one access)."""
    if not grant.is_live():
        raise services.ConsentExpired()
    members = list(grant.family.members.select_related("family__district").all())
    if grant.member_id is not None:
        members = [m for m in members if m.pk == grant.member_id]
    services.record_access(grant=grant, member=None, what=AccessWhat.SCHEMES)
    return _schemes_of(members)


def own_family_schemes(family: Family) -> list[MemberSchemes]:
    """The family's own view (a citizen logged in with the family's mobile): not an access
    by someone else, so nothing is recorded."""
    return _schemes_of(list(family.members.select_related("family__district").all()))


def _schemes_of(members: list[Member]) -> list[MemberSchemes]:
    out = []
    for member in members:
        facts = facts_for(member)
        out.append(MemberSchemes(member, int(facts["age"]), eligibility.answers(facts)))
    return out


def members_of(grant: ConsentGrant) -> QuerySet[Member]:
    members = grant.family.members.all()
    if grant.member_id is not None:
        members = members.filter(pk=grant.member_id)
    return members


# --- change requests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeFilters:
    """What the requests list is narrowed to; empty values do not narrow."""

    state: str = ""
    kind: str = ""
    district: str = ""  # a district slug
    submitted_by: str = ""  # a username
    submitted_from: date | None = None  # IST days, both ends included
    submitted_to: date | None = None


def changes_visible_to(
    user: User, *, state: str = "", filters: ChangeFilters | None = None
) -> QuerySet[ChangeRequest]:
    """Operators see what they submitted; a district society its district's requests."""
    changes = ChangeRequest.objects.select_related("district", "family", "submitted_by")
    if user.role == Role.DISTRICT_ADMIN:
        changes = changes.filter(district_id=user.district_id or 0)
    elif user.role == Role.OPERATOR:
        changes = changes.filter(submitted_by=user)
    else:
        changes = changes.none()
    filters = filters or ChangeFilters(state=state)
    if filters.state in ChangeState.values:
        changes = changes.filter(state=filters.state)
    if filters.kind in ChangeKind.values:
        changes = changes.filter(kind=filters.kind)
    if filters.district:
        changes = changes.filter(district__slug=filters.district)
    if filters.submitted_by:
        changes = changes.filter(submitted_by__username=filters.submitted_by)
    if filters.submitted_from is not None:  # the current time zone (IST) decides the day
        changes = changes.filter(submitted_at__date__gte=filters.submitted_from)
    if filters.submitted_to is not None:
        changes = changes.filter(submitted_at__date__lte=filters.submitted_to)
    return changes


def change_filter_options(user: User) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The districts and the submitters found among the requests `user` may see, as
    (value, label) pairs for the list's filters."""
    visible = changes_visible_to(user)
    districts = District.objects.filter(pk__in=visible.values("district_id")).order_by("name_en")
    submitters = User.objects.filter(pk__in=visible.values("submitted_by_id")).order_by("username")
    return [(d.slug, d.name) for d in districts], [(u.username, str(u)) for u in submitters]


# --- the citizen's own view --------------------------------------------------------------------


def families_of_citizen(user: User) -> QuerySet[Family]:
    """Families whose registered mobile is the citizen's own (proved by their OTP login)."""
    if user.role != Role.CITIZEN or not user.mobile:
        return Family.objects.none()
    return Family.objects.filter(mobile=user.mobile).select_related("district")


def access_log(family: Family) -> QuerySet[AccessRecord]:
    return family.accesses.select_related("member").all()


def history_of(family: Family) -> QuerySet[HistoryEntry]:
    """Approved changes of the family's record, newest first (values masked at write)."""
    return family.history.select_related("member", "change").order_by("-at", "-id")
