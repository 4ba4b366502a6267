"""The acts on a doorstep visit: book (with automatic assignment), re-assign, mark visited,
complete, cancel. One transaction each, with its audit row, history row and SMS in the outbox.

Booking refuses — and stores nothing — when the district has no active operator who visits,
or when every such operator is full in the slot: a visit that nobody will make is worse than
a clear "no" at booking time.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emitra.accounts.roles import Role
from emitra.catalog.models import Channel, Service, ServiceStatus
from emitra.core import audit
from emitra.core.errors import Conflict, InvalidInput, PermissionDenied
from emitra.core.ids import next_number
from emitra.core.money import Paise, format_inr
from emitra.geo.selectors import lies_in
from emitra.home_visits import notify, selectors, slots
from emitra.home_visits.models import (
    PriorityGroup,
    Visit,
    VisitAction,
    VisitEvent,
    VisitState,
)
from emitra.kiosks.models import Kiosk, KioskStatus
from emitra.kiosks.selectors import kiosk_of_operator

MOBILE = re.compile(r"^[6-9]\d{9}$")
PIN = re.compile(r"^[1-9]\d{5}$")


def visit_charge(priority_group: str) -> Paise:
    """Free for the priority groups (DESIGN.md §5): disabled, senior citizens, widows."""
    return Paise(0) if priority_group else slots.visit_charge()


# --- booking ---------------------------------------------------------------------------------


def _check_booking(
    *,
    actor: Any,
    citizen_name: str,
    mobile: str,
    service: Service,
    district: Any,
    block: Any,
    gram_panchayat: Any,
    urban_body: Any,
    address: str,
    pin: str,
    day: date,
    slot: str,
    priority_group: str,
) -> None:
    if getattr(actor, "role", None) not in (Role.CITIZEN, Role.OPERATOR):
        raise PermissionDenied(
            "home_visits.role", _("Only a citizen or a kiosk operator may book a home visit.")
        )
    if actor.role == Role.OPERATOR:
        kiosk = kiosk_of_operator(actor)
        if kiosk is None or kiosk.status != KioskStatus.ACTIVE:
            raise PermissionDenied(
                "home_visits.kiosk_inactive",
                _("Your kiosk is not active: you cannot book visits for citizens."),
            )
    if not citizen_name.strip():
        raise InvalidInput("home_visits.name", _("Enter the citizen's name."))
    if not MOBILE.match(mobile or ""):
        raise InvalidInput("home_visits.mobile", _("Enter a 10-digit mobile number."))
    if service.status != ServiceStatus.ACTIVE or Channel.HOME not in (service.channels or []):
        raise InvalidInput(
            "home_visits.service", _("This service is not offered at home. Choose another.")
        )
    if not address.strip():
        raise InvalidInput("home_visits.address", _("Enter the address for the visit."))
    if not PIN.match(pin or ""):
        raise InvalidInput("home_visits.pin", _("Enter a 6-digit PIN code."))
    if priority_group not in PriorityGroup.values:
        raise InvalidInput("home_visits.group", _("Choose a priority group from the list."))
    if gram_panchayat is not None and urban_body is not None:
        raise InvalidInput(
            "home_visits.place",
            _("Choose either a gram panchayat or an urban body, not both."),
        )
    for unit in (block, gram_panchayat, urban_body):
        if unit is not None and not lies_in(district, unit):
            raise InvalidInput(
                "home_visits.place", _("The block, panchayat or town is not in that district.")
            )
    if (
        block is not None
        and gram_panchayat is not None
        and gram_panchayat.block_id
        not in (
            None,
            block.pk,
        )
    ):
        raise InvalidInput("home_visits.place", _("The gram panchayat is not in that block."))
    if slots.slot(slot) is None:
        raise InvalidInput("home_visits.slot", _("Choose a time slot from the list."))
    if slots.starts_at(day, slot) <= timezone.now():
        raise InvalidInput(
            "home_visits.past", _("That time slot has already begun. Choose a later one.")
        )
    if day > slots.last_day():
        raise InvalidInput(
            "home_visits.too_far",
            _("Visits can be booked at most %(days)s days ahead.") % {"days": slots.booking_days()},
        )


def _pick_kiosk(visit: Visit, *, exclude: Kiosk | None = None) -> Kiosk:
    """The best candidate with room in the slot, its row locked so two bookings cannot both
    take its last place."""
    found = selectors.candidates(
        district=visit.district,
        block=visit.block,
        gram_panchayat=visit.gram_panchayat,
        urban_body=visit.urban_body,
        day=visit.day,
        slot=visit.slot,
    )
    found = [c for c in found if exclude is None or c.kiosk.pk != exclude.pk]
    if not found:
        raise InvalidInput(
            "home_visits.no_operator",
            _(
                "No e-Mitra operator makes home visits in %(district)s yet. Please visit a "
                "kiosk or try again later."
            )
            % {"district": visit.district.name},
        )
    for candidate in found:
        kiosk = Kiosk.objects.select_for_update().get(pk=candidate.kiosk.pk)
        if selectors.slot_load(kiosk, visit.day, visit.slot) < slots.capacity():
            return kiosk
    raise Conflict(
        "home_visits.slot_full",
        _("Every operator in %(district)s is busy in that slot. Choose another time.")
        % {"district": visit.district.name},
    )


def _event(visit: Visit, action: str, before: str, *, actor: Any, note: str = "") -> None:
    VisitEvent.objects.create(
        visit=visit,
        action=action,
        from_state=before,
        to_state=visit.state,
        kiosk=visit.kiosk,
        actor=actor,
        note=note,
    )


def _sms_params(visit: Visit) -> dict[str, str]:
    return {
        "number": visit.number,
        "day": visit.day.strftime("%d-%m-%Y"),
        "slot": visit.slot_label,
        "kiosk": f"{visit.kiosk.name} ({visit.kiosk.code})" if visit.kiosk else "",
        "charge": format_inr(visit.charge, language="en"),
    }


@transaction.atomic
def book_visit(
    *,
    actor: Any,
    service: Service,
    district: Any,
    address: str,
    pin: str,
    day: date,
    slot: str,
    priority_group: str = "",
    block: Any = None,
    gram_panchayat: Any = None,
    urban_body: Any = None,
    citizen_name: str = "",
    mobile: str = "",
) -> Visit:
    """Book a doorstep visit and hand it to the nearest operator with room in the slot.

    A citizen books for themselves (their account's name and mobile); an operator books on a
    citizen's behalf, and the visit is linked to that citizen's account if one exists."""
    citizen = None
    if getattr(actor, "role", None) == Role.CITIZEN:
        citizen = actor
        citizen_name = citizen_name or actor.full_name or actor.mobile
        mobile = actor.mobile
    if gram_panchayat is not None and block is None:
        block = gram_panchayat.block
    _check_booking(
        actor=actor,
        citizen_name=citizen_name,
        mobile=mobile,
        service=service,
        district=district,
        block=block,
        gram_panchayat=gram_panchayat,
        urban_body=urban_body,
        address=address,
        pin=pin,
        day=day,
        slot=slot,
        priority_group=priority_group,
    )
    if citizen is None:
        from emitra.accounts.models import User

        citizen = User.objects.filter(mobile=mobile, role=Role.CITIZEN).first()
    visit = Visit(
        citizen=citizen,
        citizen_name=citizen_name.strip(),
        mobile=mobile,
        booked_by=actor,
        service=service,
        district=district,
        block=block,
        gram_panchayat=gram_panchayat,
        urban_body=urban_body,
        address=address.strip(),
        pin=pin,
        day=day,
        slot=slot,
        priority_group=priority_group,
        charge=visit_charge(priority_group),
    )
    kiosk = _pick_kiosk(visit)  # refuses before anything is written
    visit.number = next_number("HV").text
    visit.save()
    _event(visit, VisitAction.BOOK, "", actor=actor)
    visit.kiosk = kiosk
    visit.state = VisitState.ASSIGNED
    visit.save(update_fields=["kiosk", "state"])
    _event(visit, VisitAction.ASSIGN, VisitState.BOOKED, actor=None)
    audit.record(
        actor=actor,
        action="home_visits.book",
        obj=visit,
        after={"number": visit.number, "kiosk": kiosk.code, "charge": visit.charge},
    )
    notify.queue_sms(to=visit.mobile, template="home_visit_booked", **_sms_params(visit))
    return visit


# --- moves -----------------------------------------------------------------------------------


def _move(
    visit: Visit,
    *,
    to: str,
    action: str,
    actor: Any,
    note: str = "",
    kiosk: Kiosk | None = None,
) -> Visit:
    """The conditional update: it happens only if nobody moved the visit since it was read."""
    before = visit.state
    changes: dict[str, Any] = {
        "state": to,
        "version": F("version") + 1,
        "updated_at": timezone.now(),
    }
    if kiosk is not None:
        changes["kiosk"] = kiosk
    if action == VisitAction.CANCEL:
        changes["reason"] = note
    updated = Visit.objects.filter(pk=visit.pk, state=before, version=visit.version).update(
        **changes
    )
    if updated != 1:
        raise Conflict(
            "home_visits.changed",
            _("Visit %(number)s was changed by someone else. Reload and try again.")
            % {"number": visit.number},
        )
    visit.refresh_from_db()
    _event(visit, action, before, actor=actor, note=note)
    audit.record(
        actor=actor,
        action=f"home_visits.{action}",
        obj=visit,
        before={"state": before},
        after={"state": visit.state, "kiosk": visit.kiosk.code if visit.kiosk else ""},
    )
    return visit


def _refuse_state(visit: Visit) -> Conflict:
    return Conflict(
        "home_visits.state",
        _("Visit %(number)s is %(state)s: this cannot be done now.")
        % {"number": visit.number, "state": visit.get_state_display()},
    )


def _require_assigned_operator(actor: Any, visit: Visit) -> None:
    kiosk = kiosk_of_operator(actor) if getattr(actor, "role", None) == Role.OPERATOR else None
    if kiosk is None or visit.kiosk_id != kiosk.pk:
        raise PermissionDenied(
            "home_visits.not_yours", _("Only the operator assigned to this visit may do this.")
        )


def _require_district_admin(actor: Any, visit: Visit) -> None:
    if (
        getattr(actor, "role", None) != Role.DISTRICT_ADMIN
        or actor.district_id != visit.district_id
    ):
        raise PermissionDenied(
            "home_visits.not_district",
            _("Only the district society of the visit's district may do this."),
        )


@transaction.atomic
def mark_visited(*, actor: Any, visit: Visit) -> Visit:
    _require_assigned_operator(actor, visit)
    if visit.state != VisitState.ASSIGNED:
        raise _refuse_state(visit)
    return _move(visit, to=VisitState.VISITED, action=VisitAction.VISIT, actor=actor)


@transaction.atomic
def complete_visit(*, actor: Any, visit: Visit, note: str = "") -> Visit:
    _require_assigned_operator(actor, visit)
    if visit.state != VisitState.VISITED:
        raise _refuse_state(visit)
    return _move(
        visit, to=VisitState.COMPLETED, action=VisitAction.COMPLETE, actor=actor, note=note
    )


@transaction.atomic
def cancel_visit(*, actor: Any, visit: Visit, reason: str = "") -> Visit:
    """The citizen may cancel before the visit; the operator and the district society may
    cancel an open visit, and must say why (the citizen is told in the SMS)."""
    role = getattr(actor, "role", None)
    reason = reason.strip()
    if role == Role.CITIZEN:
        if visit.citizen_id != actor.pk:
            raise PermissionDenied("home_visits.not_yours", _("This is not your booking."))
        allowed: tuple[str, ...] = (VisitState.BOOKED, VisitState.ASSIGNED)
    elif role == Role.OPERATOR:
        _require_assigned_operator(actor, visit)
        allowed = (VisitState.ASSIGNED, VisitState.VISITED)
    elif role == Role.DISTRICT_ADMIN:
        _require_district_admin(actor, visit)
        allowed = (VisitState.BOOKED, VisitState.ASSIGNED, VisitState.VISITED)
    else:
        raise PermissionDenied("home_visits.role", _("You may not cancel home visits."))
    if visit.state not in allowed:
        raise _refuse_state(visit)
    if role != Role.CITIZEN and not reason:
        raise InvalidInput("home_visits.reason", _("Say why the visit is cancelled."))
    visit = _move(
        visit, to=VisitState.CANCELLED, action=VisitAction.CANCEL, actor=actor, note=reason
    )
    notify.queue_sms(
        to=visit.mobile, template="home_visit_cancelled", **_sms_params(visit), reason=reason
    )
    return visit


@transaction.atomic
def reassign_visit(*, actor: Any, visit: Visit, kiosk: Kiosk | None = None) -> Visit:
    """The district society hands a visit to another operator: a chosen one (active, visiting,
    in the district, with room in the slot) or the next best after the current one."""
    _require_district_admin(actor, visit)
    if visit.state not in (VisitState.BOOKED, VisitState.ASSIGNED):
        raise _refuse_state(visit)
    if kiosk is None:
        kiosk = _pick_kiosk(visit, exclude=visit.kiosk)
    else:
        kiosk = Kiosk.objects.select_for_update().get(pk=kiosk.pk)
        if (
            kiosk.district_id != visit.district_id
            or kiosk.status != KioskStatus.ACTIVE
            or kiosk.kiosk_type not in selectors.VISITING_TYPES
        ):
            raise InvalidInput(
                "home_visits.kiosk",
                _("Kiosk %(code)s cannot take visits in this district.") % {"code": kiosk.code},
            )
        if kiosk.pk == visit.kiosk_id:
            raise InvalidInput(
                "home_visits.same_kiosk",
                _("The visit is already with kiosk %(code)s.") % {"code": kiosk.code},
            )
        if selectors.slot_load(kiosk, visit.day, visit.slot) >= slots.capacity():
            raise Conflict(
                "home_visits.kiosk_full",
                _("Kiosk %(code)s is full in that slot.") % {"code": kiosk.code},
            )
    action = VisitAction.REASSIGN if visit.kiosk_id else VisitAction.ASSIGN
    visit = _move(visit, to=VisitState.ASSIGNED, action=action, actor=actor, kiosk=kiosk)
    notify.queue_sms(to=visit.mobile, template="home_visit_assigned", **_sms_params(visit))
    return visit
