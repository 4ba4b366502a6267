"""Doorstep visits (e-Mitra@Home): a citizen's booking of a slot, the kiosk assigned to it and
its append-only history.

A visit moves booked → assigned → visited → completed, or to cancelled; each move is a
conditional UPDATE on the expected state and version (services.py) and leaves a VisitEvent.
The visit charge is only recorded here: the operator collects it at the doorstep through the
normal service flow, so no money moves in this app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class VisitState(models.TextChoices):
    BOOKED = "booked", _("Booked")
    ASSIGNED = "assigned", _("Assigned to an operator")
    VISITED = "visited", _("Visited")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = (VisitState.BOOKED, VisitState.ASSIGNED, VisitState.VISITED)


class PriorityGroup(models.TextChoices):
    NONE = "", _("None")
    DISABLED = "disabled", _("Person with a disability")
    SENIOR = "senior", _("Senior citizen (60 years or more)")
    WIDOW = "widow", _("Widow")


class VisitAction(models.TextChoices):
    BOOK = "book", _("Booked")
    ASSIGN = "assign", _("Assigned")
    REASSIGN = "reassign", _("Re-assigned")
    VISIT = "visit", _("Visited")
    COMPLETE = "complete", _("Completed")
    CANCEL = "cancel", _("Cancelled")


class Visit(models.Model):
    number = models.CharField(_("visit number"), max_length=32, unique=True)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("citizen account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="home_visits",
    )
    citizen_name = models.CharField(_("citizen's name"), max_length=120)
    mobile = models.CharField(_("mobile number"), max_length=10)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    service = models.ForeignKey(
        "catalog.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "geo.District", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    block = models.ForeignKey(
        "geo.Block",
        verbose_name=_("block"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    gram_panchayat = models.ForeignKey(
        "geo.GramPanchayat",
        verbose_name=_("gram panchayat"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    urban_body = models.ForeignKey(
        "geo.UrbanBody",
        verbose_name=_("urban body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=300)
    pin = models.CharField(_("PIN code"), max_length=6)
    day = models.DateField(_("visit date"))
    slot = models.CharField(_("time slot"), max_length=10)
    priority_group = models.CharField(
        _("priority group"), max_length=10, choices=PriorityGroup.choices, blank=True, default=""
    )
    charge = models.BigIntegerField(_("visit charge (paise)"), default=0)
    kiosk = models.ForeignKey(
        "kiosks.Kiosk",
        verbose_name=_("assigned kiosk"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="home_visits",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=VisitState.choices, default=VisitState.BOOKED
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("booked at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["day", "slot", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=VisitState.values), name="home_visits_visit_known_state"
            ),
            models.CheckConstraint(
                condition=Q(priority_group__in=PriorityGroup.values),
                name="home_visits_visit_known_group",
            ),
            models.CheckConstraint(condition=Q(charge__gte=0), name="home_visits_visit_charge"),
            models.CheckConstraint(
                condition=Q(kiosk__isnull=False) | Q(state__in=["booked", "cancelled"]),
                name="home_visits_visit_assigned_has_kiosk",
            ),
        ]
        indexes = [
            models.Index(fields=["kiosk", "day", "slot"], name="home_visits_kiosk_slot"),
            models.Index(fields=["district", "day"], name="home_visits_district_day"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def charge_waived(self) -> bool:
        return bool(self.priority_group)

    @property
    def place(self) -> str:
        unit = self.gram_panchayat or self.urban_body
        return str(unit) if unit is not None else ""

    @property
    def slot_label(self) -> str:
        from emitra.home_visits.slots import slot

        found = slot(self.slot)
        return found.label if found else self.slot


class VisitEvent(models.Model):
    """One move of a visit; the database refuses to change or delete these rows."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("action"), max_length=10, choices=VisitAction.choices)
    from_state = models.CharField(_("from"), max_length=10, blank=True)
    to_state = models.CharField(_("to"), max_length=10)
    kiosk = models.ForeignKey(
        "kiosks.Kiosk",
        verbose_name=_("kiosk"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("visit event")
        verbose_name_plural = _("visit events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.action}"
