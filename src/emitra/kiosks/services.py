"""Every write of the kiosk network: one function per act, each in one transaction, audited.

State changes are conditional UPDATEs on the status (and version) the caller saw, checked by
row count, so two clicks on "Approve" — or an approval racing a suspension — cannot both act.
Who may do what:

============  ===================  ===================  =============================
act           role                 scope                from → to
============  ===================  ===================  =============================
apply         LSP                  its own district     — → applied
recommend     LSP                  its own kiosks       applied → recommended
approve       district admin       its district         recommended → approved
train         district admin       its district         approved → trained
activate      district admin       its district         trained → active (wallet opened)
suspend       district/state admin its district / all   active → suspended
reinstate     district/state admin its district / all   suspended → active
terminate     district/state admin its district / all   any but terminated → terminated
============  ===================  ===================  =============================
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.core import audit
from emitra.core.ids import next_number
from emitra.geo.models import District, GramPanchayat, UrbanBody
from emitra.geo.selectors import lies_in
from emitra.kiosks import rules, selectors
from emitra.kiosks.errors import (
    AlreadyRated,
    ComplaintClosed,
    DistrictOutsideLSP,
    DuplicateKioskCode,
    InvalidChoice,
    InvalidHours,
    InvalidKioskCode,
    InvalidRating,
    KioskNotActive,
    LSPAlreadyRegistered,
    LSPNameTaken,
    NameRequired,
    NotAnLSP,
    NotAnLSPLogin,
    NotAnOperator,
    NoteRequired,
    OperatorHasKiosk,
    OutOfScope,
    PlaceOutsideDistrict,
    PlaceRequired,
    ReasonRequired,
    TooManyComplaints,
    UnknownReceipt,
    WrongRole,
    WrongStep,
)
from emitra.kiosks.models import (
    LSP,
    Complaint,
    ComplaintCategory,
    ComplaintState,
    Kiosk,
    KioskAction,
    KioskCategory,
    KioskEvent,
    KioskStatus,
    KioskType,
    Rating,
)
from emitra.kiosks.receipts import find_receipt
from emitra.ledger import services as ledger

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,19}$")
_MOBILE = re.compile(r"^[6-9]\d{9}$")


# --- LSPs ------------------------------------------------------------------------------------


def find_lsp_login(login: str) -> User:
    """The login with Role.LSP that has this SSO ID or mobile number."""
    login = (login or "").strip().lower()
    user = User.objects.filter(username=login).first() or User.objects.filter(mobile=login).first()
    if user is None or user.role != Role.LSP:
        raise NotAnLSPLogin()
    return user


@transaction.atomic
def register_lsp(
    *,
    actor: User | None,
    user: User,
    name: str,
    district: District,
    existing_ok: bool = False,
) -> LSP:
    """Register the organisation behind an LSP login: by the state, or by the district society
    of `district` (`actor=None` for the demo loader and the command line).

    A login registered already is refused (LSPAlreadyRegistered), as is a second LSP of the
    same name in the district; `existing_ok=True` (loaders run again) returns the existing one."""
    if actor is not None:
        if actor.role == Role.DISTRICT_ADMIN:
            if actor.district_id != district.pk:
                raise OutOfScope()
        elif actor.role != Role.STATE_ADMIN:
            raise WrongRole()
    if user.role != Role.LSP:
        raise NotAnLSPLogin()
    name = " ".join((name or "").split())[:150]
    if not name:
        raise NameRequired()
    if (existing := LSP.objects.filter(user=user).first()) is not None:
        if existing_ok:
            return existing
        raise LSPAlreadyRegistered(existing.name)
    if LSP.objects.filter(district=district, name__iexact=name).exists():
        raise LSPNameTaken(name)
    try:
        with transaction.atomic():
            lsp = LSP.objects.create(user=user, name=name, district=district)
    except IntegrityError:  # a twin request registered the same login first
        raise LSPAlreadyRegistered(name) from None
    audit.record(
        actor=actor,
        actor_label="" if actor else "system",
        action="kiosks.lsp_registered",
        obj=lsp,
        after={"name": lsp.name, "district": district.slug, "user": user.username},
    )
    return lsp


# --- applying ----------------------------------------------------------------------------------


def _check_place(
    district: District, gram_panchayat: GramPanchayat | None, urban_body: UrbanBody | None
) -> None:
    """Exactly one of GP / ULB, lying in the district (`geo.selectors.lies_in`)."""
    if (gram_panchayat is None) == (urban_body is None):
        raise PlaceRequired()
    unit = gram_panchayat or urban_body
    assert unit is not None
    if not lies_in(district, unit):
        raise PlaceOutsideDistrict()


def find_operator(login: str) -> User:
    """The operator with this SSO ID or mobile number."""
    login = (login or "").strip().lower()
    user = User.objects.filter(username=login).first() or User.objects.filter(mobile=login).first()
    if user is None or user.role != Role.OPERATOR:
        raise NotAnOperator()
    return user


@transaction.atomic
def apply_kiosk(
    *,
    actor: User,
    code: str,
    name: str,
    kiosk_type: str,
    category: str,
    operator: User,
    gram_panchayat: GramPanchayat | None = None,
    urban_body: UrbanBody | None = None,
    district: District | None = None,
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    opens_at: time | None = None,
    closes_at: time | None = None,
) -> Kiosk:
    """An LSP applies for a kiosk in its district, run by `operator` (who has no kiosk yet)."""
    if actor.role != Role.LSP:
        raise WrongRole()
    lsp = LSP.objects.filter(user=actor).select_related("district").first()
    if lsp is None:
        raise NotAnLSP()
    district = district or lsp.district
    if district.pk != lsp.district_id:
        raise DistrictOutsideLSP()
    code = (code or "").strip().upper()
    if not _CODE.match(code):
        raise InvalidKioskCode()
    if kiosk_type not in KioskType.values or category not in KioskCategory.values:
        raise InvalidChoice()
    if operator.role != Role.OPERATOR:
        raise NotAnOperator()
    if opens_at is not None and closes_at is not None and opens_at >= closes_at:
        raise InvalidHours()
    _check_place(district, gram_panchayat, urban_body)
    if Kiosk.objects.filter(code=code).exists():
        raise DuplicateKioskCode(code)
    if Kiosk.objects.filter(operator=operator).exists():
        raise OperatorHasKiosk()
    try:
        with transaction.atomic():
            kiosk = Kiosk.objects.create(
                code=code,
                name=name.strip()[:120],
                kiosk_type=kiosk_type,
                category=category,
                operator=operator,
                lsp=lsp,
                district=district,
                block=gram_panchayat.block if gram_panchayat is not None else None,
                gram_panchayat=gram_panchayat,
                urban_body=urban_body,
                address=address.strip()[:300],
                latitude=latitude,
                longitude=longitude,
                opens_at=opens_at,
                closes_at=closes_at,
            )
    except IntegrityError:  # a twin request won the race for the code or the operator
        if Kiosk.objects.filter(code=code).exists():
            raise DuplicateKioskCode(code) from None
        raise OperatorHasKiosk() from None
    KioskEvent.objects.create(
        kiosk=kiosk, action=KioskAction.APPLY, to_status=KioskStatus.APPLIED, actor=actor
    )
    audit.record(
        actor=actor,
        action="kiosks.applied",
        obj=kiosk,
        after={
            "code": code,
            "type": kiosk_type,
            "category": category,
            "operator": operator.username,
            "district": district.slug,
        },
    )
    return kiosk


# --- onboarding and discipline ------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    roles: frozenset[str]
    sources: frozenset[str]
    target: str
    needs_reason: bool = False


_DISTRICT = frozenset({Role.DISTRICT_ADMIN})
_DISCIPLINE = frozenset({Role.DISTRICT_ADMIN, Role.STATE_ADMIN})
_ALL_BUT_TERMINATED = frozenset(set(KioskStatus.values) - {KioskStatus.TERMINATED})

STEPS: dict[str, Step] = {
    KioskAction.RECOMMEND: Step(
        frozenset({Role.LSP}), frozenset({KioskStatus.APPLIED}), KioskStatus.RECOMMENDED
    ),
    KioskAction.APPROVE: Step(
        _DISTRICT, frozenset({KioskStatus.RECOMMENDED}), KioskStatus.APPROVED
    ),
    KioskAction.TRAIN: Step(_DISTRICT, frozenset({KioskStatus.APPROVED}), KioskStatus.TRAINED),
    KioskAction.ACTIVATE: Step(_DISTRICT, frozenset({KioskStatus.TRAINED}), KioskStatus.ACTIVE),
    KioskAction.SUSPEND: Step(
        _DISCIPLINE, frozenset({KioskStatus.ACTIVE}), KioskStatus.SUSPENDED, needs_reason=True
    ),
    KioskAction.REINSTATE: Step(
        _DISCIPLINE, frozenset({KioskStatus.SUSPENDED}), KioskStatus.ACTIVE, needs_reason=True
    ),
    KioskAction.TERMINATE: Step(
        _DISCIPLINE, _ALL_BUT_TERMINATED, KioskStatus.TERMINATED, needs_reason=True
    ),
}


def check_scope(actor: User, kiosk: Kiosk) -> None:
    """LSPs act on their own kiosks, district societies on their district's, the state on all."""
    if actor.role == Role.STATE_ADMIN:
        return
    if actor.role == Role.LSP:
        if kiosk.lsp.user_id != actor.pk:
            raise OutOfScope()
    elif actor.role == Role.DISTRICT_ADMIN:
        if actor.district_id is None or actor.district_id != kiosk.district_id:
            raise OutOfScope()
    else:
        raise WrongRole()


def allowed_actions(actor: User, kiosk: Kiosk) -> list[str]:
    """The acts `actor` could take on `kiosk` now (for the buttons on its page)."""
    found = []
    for action, step in STEPS.items():
        if actor.role not in step.roles or kiosk.status not in step.sources:
            continue
        try:
            check_scope(actor, kiosk)
        except (OutOfScope, WrongRole):
            continue
        found.append(action)
    return found


def _label(status: str) -> str:
    return str(KioskStatus(status).label)


def _move(*, actor: User, kiosk: Kiosk, action: str, reason: str = "") -> Kiosk:
    step = STEPS[action]
    reason = (reason or "").strip()[:500]
    if actor.role not in step.roles:
        raise WrongRole()
    current = Kiosk.objects.select_related("lsp").get(pk=kiosk.pk)
    check_scope(actor, current)
    if current.status not in step.sources:
        if current.status in (KioskStatus.SUSPENDED, KioskStatus.TERMINATED):
            raise KioskNotActive(_label(current.status))
        raise WrongStep(_label(current.status))
    if step.needs_reason and not reason:
        raise ReasonRequired()
    now = timezone.now()
    changes: dict[str, object] = {"status": step.target, "version": F("version") + 1}
    if step.target == KioskStatus.ACTIVE and current.activated_at is None:
        changes["activated_at"] = now
    updated = Kiosk.objects.filter(
        pk=current.pk, status=current.status, version=current.version
    ).update(updated_at=now, **changes)
    if updated != 1:  # someone else moved it between our read and our write
        latest = Kiosk.objects.get(pk=current.pk)
        if latest.status in (KioskStatus.SUSPENDED, KioskStatus.TERMINATED):
            raise KioskNotActive(_label(latest.status))
        raise WrongStep(_label(latest.status))
    KioskEvent.objects.create(
        kiosk=current,
        action=action,
        from_status=current.status,
        to_status=step.target,
        actor=actor,
        reason=reason,
        at=now,
    )
    if step.target == KioskStatus.ACTIVE:
        operator = current.operator
        ledger.open_operator_wallet(
            user_id=operator.pk, name=f"{current.code} · {operator.full_name or operator.username}"
        )
    audit.record(
        actor=actor,
        action=f"kiosks.{action}",
        obj=current,
        before={"status": current.status},
        after={"status": step.target, "reason": reason},
    )
    current.refresh_from_db()
    return current


@transaction.atomic
def recommend_kiosk(*, actor: User, kiosk: Kiosk) -> Kiosk:
    return _move(actor=actor, kiosk=kiosk, action=KioskAction.RECOMMEND)


@transaction.atomic
def approve_kiosk(*, actor: User, kiosk: Kiosk) -> Kiosk:
    return _move(actor=actor, kiosk=kiosk, action=KioskAction.APPROVE)


@transaction.atomic
def mark_trained(*, actor: User, kiosk: Kiosk) -> Kiosk:
    return _move(actor=actor, kiosk=kiosk, action=KioskAction.TRAIN)


@transaction.atomic
def activate_kiosk(*, actor: User, kiosk: Kiosk) -> Kiosk:
    """The kiosk starts work; the operator's wallet is opened (or kept) with it."""
    return _move(actor=actor, kiosk=kiosk, action=KioskAction.ACTIVATE)


@transaction.atomic
def suspend_kiosk(*, actor: User, kiosk: Kiosk, reason: str) -> Kiosk:
    return _move(actor=actor, kiosk=kiosk, action=KioskAction.SUSPEND, reason=reason)


@transaction.atomic
def reinstate_kiosk(*, actor: User, kiosk: Kiosk, reason: str) -> Kiosk:
    return _move(actor=actor, kiosk=kiosk, action=KioskAction.REINSTATE, reason=reason)


@transaction.atomic
def terminate_kiosk(*, actor: User, kiosk: Kiosk, reason: str) -> Kiosk:
    return _move(actor=actor, kiosk=kiosk, action=KioskAction.TERMINATE, reason=reason)


ACTS: dict[str, Callable[..., Kiosk]] = {
    KioskAction.RECOMMEND: lambda *, actor, kiosk, reason="": recommend_kiosk(
        actor=actor, kiosk=kiosk
    ),
    KioskAction.APPROVE: lambda *, actor, kiosk, reason="": approve_kiosk(actor=actor, kiosk=kiosk),
    KioskAction.TRAIN: lambda *, actor, kiosk, reason="": mark_trained(actor=actor, kiosk=kiosk),
    KioskAction.ACTIVATE: lambda *, actor, kiosk, reason="": activate_kiosk(
        actor=actor, kiosk=kiosk
    ),
    KioskAction.SUSPEND: suspend_kiosk,
    KioskAction.REINSTATE: reinstate_kiosk,
    KioskAction.TERMINATE: terminate_kiosk,
}


# --- the inactivity rule ------------------------------------------------------------------------


@dataclass(frozen=True)
class InactivitySummary:
    month: date
    checked: int
    flagged: int
    cleared: int


def previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


@transaction.atomic
def flag_inactive_kiosks(*, month: date | None = None) -> InactivitySummary:
    """Flag active kiosks with fewer than the minimum ledger transactions in `month` (the
    previous calendar month in IST by default); clear the flag of those that made it.

    Only kiosks active since before the month began are judged: a kiosk opened mid-month has
    not had a month to work. Safe to run any number of times (the job runs every few hours)."""
    month = (month or previous_month(timezone.localdate())).replace(day=1)
    start, end = selectors.month_bounds(month)
    minimum = rules.inactivity_min_transactions()
    kiosks = list(
        Kiosk.objects.filter(status=KioskStatus.ACTIVE, activated_at__lt=start).select_related(
            "operator"
        )
    )
    counts = selectors.wallet_transaction_counts([k.operator_id for k in kiosks], start, end)
    flagged = cleared = 0
    now = timezone.now()
    for kiosk in kiosks:
        count = counts.get(kiosk.operator_id, 0)
        if count < minimum and kiosk.inactive_month != month:
            reason = f"{count} < {minimum} transactions in {month:%Y-%m}"
            _record_inactivity(kiosk, month, count, flagged_month=month, reason=reason, now=now)
            flagged += 1
        elif count >= minimum and kiosk.inactive_month is not None:
            reason = f"{count} transactions in {month:%Y-%m}"
            _record_inactivity(kiosk, month, count, flagged_month=None, reason=reason, now=now)
            cleared += 1
    return InactivitySummary(month=month, checked=len(kiosks), flagged=flagged, cleared=cleared)


def _record_inactivity(
    kiosk: Kiosk,
    month: date,
    count: int,
    *,
    flagged_month: date | None,
    reason: str,
    now: datetime,
) -> None:
    """Flag (flagged_month set) or clear the inactivity mark, with its history and audit."""
    flag = flagged_month is not None
    Kiosk.objects.filter(pk=kiosk.pk).update(inactive_month=flagged_month, updated_at=now)
    KioskEvent.objects.create(
        kiosk=kiosk,
        action=KioskAction.FLAG_INACTIVE if flag else KioskAction.CLEAR_INACTIVE,
        from_status=kiosk.status,
        to_status=kiosk.status,
        reason=reason,
        at=now,
    )
    audit.record(
        actor=None,
        actor_label="inactivity rule",
        action="kiosks.flag_inactive" if flag else "kiosks.clear_inactive",
        obj=kiosk,
        after={"month": month.isoformat(), "transactions": count},
    )


# --- ratings and complaints ---------------------------------------------------------------------


def _receipt_kiosk(receipt_number: str) -> Kiosk:
    ref = find_receipt(receipt_number)
    if ref is None:
        raise UnknownReceipt()
    kiosk = selectors.kiosk_of_receipt(ref)
    if kiosk is None:
        raise UnknownReceipt()
    return kiosk


@transaction.atomic
def rate_receipt(*, receipt_number: str, stars: int, comment: str = "") -> Rating:
    """A citizen rates a receipt's transaction, once per receipt."""
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        raise InvalidRating()
    kiosk = _receipt_kiosk(receipt_number)
    receipt_number = receipt_number.strip()
    if Rating.objects.filter(receipt_number=receipt_number).exists():
        raise AlreadyRated()
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                receipt_number=receipt_number,
                kiosk=kiosk,
                stars=stars,
                comment=(comment or "").strip()[:500],
            )
    except IntegrityError:
        raise AlreadyRated() from None
    audit.record(
        actor=None,
        actor_label="citizen",
        action="kiosks.rated",
        obj=rating,
        after={"receipt": receipt_number, "kiosk": kiosk.code, "stars": stars},
    )
    return rating


@transaction.atomic
def submit_complaint(
    *, receipt_number: str, category: str, description: str = "", contact_mobile: str = ""
) -> Complaint:
    """A citizen complains about a receipt's transaction; the kiosk's district must answer
    within the SLA. Rate-limited per receipt (the kiosk row is locked to count fairly)."""
    if category not in ComplaintCategory.values:
        raise InvalidChoice()
    contact_mobile = (contact_mobile or "").strip()
    if contact_mobile and not _MOBILE.match(contact_mobile):
        contact_mobile = ""
    kiosk = _receipt_kiosk(receipt_number)
    receipt_number = receipt_number.strip()
    Kiosk.objects.select_for_update().filter(pk=kiosk.pk).first()
    now = timezone.now()
    recent = Complaint.objects.filter(
        receipt_number=receipt_number,
        created_at__gte=now - timedelta(hours=rules.complaint_window_hours()),
    ).count()
    if recent >= rules.complaints_per_receipt():
        raise TooManyComplaints()
    complaint = Complaint.objects.create(
        number=next_number("CMP").text,
        receipt_number=receipt_number,
        kiosk=kiosk,
        district_id=kiosk.district_id,
        category=category,
        description=(description or "").strip()[:2000],
        contact_mobile=contact_mobile,
        due_at=now + timedelta(days=rules.complaint_sla_days()),
        created_at=now,
    )
    audit.record(
        actor=None,
        actor_label="citizen",
        action="kiosks.complaint_submitted",
        obj=complaint,
        after={"receipt": receipt_number, "kiosk": kiosk.code, "category": category},
    )
    return complaint


def _check_handler(actor: User, complaint: Complaint) -> None:
    if actor.role == Role.STATE_ADMIN:
        return
    if actor.role != Role.DISTRICT_ADMIN:
        raise WrongRole()
    if actor.district_id != complaint.district_id:
        raise OutOfScope()


def _move_complaint(
    *, actor: User, complaint: Complaint, sources: tuple[str, ...], target: str, note: str
) -> Complaint:
    _check_handler(actor, complaint)
    current = Complaint.objects.get(pk=complaint.pk)
    if current.state not in sources:
        raise ComplaintClosed()
    now = timezone.now()
    changes: dict[str, object] = {"state": target, "handled_by": actor}
    if target in (ComplaintState.RESOLVED, ComplaintState.REJECTED):
        changes["closed_at"] = now
        changes["note"] = note
    updated = Complaint.objects.filter(pk=current.pk, state=current.state).update(**changes)
    if updated != 1:
        raise ComplaintClosed()
    audit.record(
        actor=actor,
        action=f"kiosks.complaint_{target}",
        obj=current,
        before={"state": current.state},
        after={"state": target, "note": note},
    )
    current.refresh_from_db()
    return current


@transaction.atomic
def start_complaint(*, actor: User, complaint: Complaint) -> Complaint:
    """The district takes the complaint up (open → in progress)."""
    return _move_complaint(
        actor=actor,
        complaint=complaint,
        sources=(ComplaintState.OPEN,),
        target=ComplaintState.IN_PROGRESS,
        note="",
    )


@transaction.atomic
def resolve_complaint(*, actor: User, complaint: Complaint, note: str) -> Complaint:
    """The complaint is upheld; a kiosk with too many upheld complaints is flagged."""
    note = (note or "").strip()[:2000]
    if not note:
        raise NoteRequired()
    done = _move_complaint(
        actor=actor,
        complaint=complaint,
        sources=(ComplaintState.OPEN, ComplaintState.IN_PROGRESS),
        target=ComplaintState.RESOLVED,
        note=note,
    )
    flag_repeat_offender(kiosk=done.kiosk)
    return done


@transaction.atomic
def reject_complaint(*, actor: User, complaint: Complaint, note: str) -> Complaint:
    note = (note or "").strip()[:2000]
    if not note:
        raise NoteRequired()
    return _move_complaint(
        actor=actor,
        complaint=complaint,
        sources=(ComplaintState.OPEN, ComplaintState.IN_PROGRESS),
        target=ComplaintState.REJECTED,
        note=note,
    )


@transaction.atomic
def flag_repeat_offender(*, kiosk: Kiosk, now: datetime | None = None) -> bool:
    """Flag `kiosk` when it has the threshold of upheld complaints within the window (counted
    by when they were made); a kiosk already flagged within the window is not flagged again."""
    now = now or timezone.now()
    since = now - timedelta(days=rules.offender_window_days())
    upheld = Complaint.objects.filter(
        kiosk=kiosk, state=ComplaintState.RESOLVED, created_at__gte=since
    ).count()
    if upheld < rules.offender_upheld_complaints():
        return False
    updated = (
        Kiosk.objects.filter(pk=kiosk.pk)
        .exclude(offender_flagged_at__gte=since)
        .update(offender_flagged_at=now, updated_at=now)
    )
    if updated != 1:
        return False
    KioskEvent.objects.create(
        kiosk=kiosk,
        action=KioskAction.FLAG_OFFENDER,
        from_status=kiosk.status,
        to_status=kiosk.status,
        reason=f"{upheld} upheld complaints in {rules.offender_window_days()} days",
        at=now,
    )
    audit.record(
        actor=None,
        actor_label="repeat-offender rule",
        action="kiosks.flag_offender",
        obj=kiosk,
        after={"upheld": upheld},
    )
    return True
