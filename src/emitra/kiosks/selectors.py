"""Reads of the kiosk network, scoped to who asks.

Other apps use `kiosk_of_operator(user)` (which kiosk serves at this counter) and
`category_of(user)` (the kiosk category pricing.quote needs)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.geo.models import District, GramPanchayat, UrbanBody, UrbanBodyType
from emitra.kiosks.models import (
    LSP,
    OPEN_COMPLAINT_STATES,
    Complaint,
    ComplaintState,
    Kiosk,
    KioskEvent,
    KioskStatus,
    Rating,
)
from emitra.kiosks.receipts import ReceiptRef
from emitra.ledger.models import Account, AccountKind, Entry
from emitra.ledger.services import OPERATOR_WALLET_OWNER

PAGE_SIZE = 100


# --- for other apps --------------------------------------------------------------------------


def kiosk_of_operator(user: Any) -> Kiosk | None:
    """The kiosk `user` operates (any status), or None — also for anonymous users."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if getattr(user, "role", None) != Role.OPERATOR:
        return None
    return (
        Kiosk.objects.filter(operator_id=user.pk)
        .select_related("district", "lsp", "gram_panchayat", "urban_body")
        .first()
    )


def category_of(user: Any) -> str:
    """The kiosk category (A, B or C) of the operator's kiosk, for pricing.quote; "" when the
    user runs no kiosk (quote then refuses operator channels with its own message)."""
    kiosk = kiosk_of_operator(user)
    return kiosk.category if kiosk is not None else ""


def kiosk_of_receipt(ref: ReceiptRef) -> Kiosk | None:
    if ref.kiosk_code:
        return Kiosk.objects.filter(code=ref.kiosk_code).first()
    if ref.operator_id is not None:
        return Kiosk.objects.filter(operator_id=ref.operator_id).first()
    return None


# --- kiosks ----------------------------------------------------------------------------------


def lsp_of(user: User) -> LSP | None:
    return LSP.objects.filter(user=user).select_related("district").first()


# --- LSPs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LSPFilters:
    district: str = ""  # slug
    q: str = ""


def all_lsps(filters: LSPFilters) -> QuerySet[LSP]:
    """Every LSP matching `filters`, with their kiosk counts (`kiosk_count`, `active_count`)."""
    rows = LSP.objects.select_related("district", "user").annotate(
        kiosk_count=Count("kiosks"),
        active_count=Count("kiosks", filter=Q(kiosks__status=KioskStatus.ACTIVE)),
    )
    if filters.district:
        rows = rows.filter(district__slug=filters.district)
    if filters.q:
        q = filters.q[:60]
        rows = rows.filter(Q(name__icontains=q) | Q(user__username__icontains=q.lower()))
    return rows.order_by("district__name_en", "name")


def lsps_for(user: User, filters: LSPFilters) -> QuerySet[LSP]:
    """The LSPs the state (all) or a district society (its district's) may see."""
    rows = all_lsps(filters)
    if user.is_statewide:
        return rows
    if user.role == Role.DISTRICT_ADMIN and user.district_id is not None:
        return rows.filter(district_id=user.district_id)
    return rows.none()


def visible_kiosks(user: User) -> QuerySet[Kiosk]:
    """LSPs see their own kiosks, district societies their district's, the state all."""
    rows = Kiosk.objects.select_related(
        "district", "lsp", "operator", "gram_panchayat", "urban_body"
    )
    if user.is_statewide:
        return rows
    if user.role == Role.DISTRICT_ADMIN and user.district_id is not None:
        return rows.filter(district_id=user.district_id)
    if user.role == Role.LSP:
        return rows.filter(lsp__user=user)
    if user.role == Role.OPERATOR:
        return rows.filter(operator=user)
    return rows.none()


@dataclass(frozen=True)
class KioskFilters:
    status: str = ""
    kiosk_type: str = ""
    category: str = ""
    district: str = ""  # slug
    q: str = ""
    flagged: str = ""  # "inactive" | "offender"


def kiosks_for(user: User, filters: KioskFilters) -> QuerySet[Kiosk]:
    rows = visible_kiosks(user)
    if filters.status in KioskStatus.values:
        rows = rows.filter(status=filters.status)
    if filters.kiosk_type:
        rows = rows.filter(kiosk_type=filters.kiosk_type)
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.district:
        rows = rows.filter(district__slug=filters.district)
    if filters.q:
        q = filters.q[:60]
        rows = rows.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if filters.flagged == "inactive":
        rows = rows.filter(inactive_month__isnull=False)
    elif filters.flagged == "offender":
        rows = rows.filter(offender_flagged_at__isnull=False)
    return rows.order_by("code")


def kiosk_for(user: User, code: str) -> Kiosk:
    """One kiosk the user may see, or 404 (also for one outside their scope)."""
    found = visible_kiosks(user).filter(code=code[:20]).first()
    if found is None:
        raise Http404(code)
    return found


def with_ratings(rows: QuerySet[Kiosk]) -> QuerySet[Kiosk]:
    """`rows` with each kiosk's citizen rating: `avg_rating` (None when unrated) and
    `rating_count`, in the same query."""
    return rows.annotate(avg_rating=Avg("ratings__stars"), rating_count=Count("ratings"))


@dataclass(frozen=True)
class RatingSummary:
    count: int
    average: float | None  # 1–5, None when nobody rated yet
    recent: list[Rating]


def rating_summary(kiosk: Kiosk, *, recent: int = 5) -> RatingSummary:
    """How citizens rated the kiosk: the average, how many ratings and the latest few."""
    totals = Rating.objects.filter(kiosk=kiosk).aggregate(average=Avg("stars"), count=Count("id"))
    average = totals["average"]
    return RatingSummary(
        count=int(totals["count"]),
        average=round(float(average), 1) if average is not None else None,
        recent=list(Rating.objects.filter(kiosk=kiosk).order_by("-created_at", "-id")[:recent]),
    )


def history(kiosk: Kiosk) -> list[KioskEvent]:
    return list(kiosk.events.select_related("actor").order_by("at", "id"))


def public_kiosk(code: str) -> Kiosk:
    """A kiosk for its public rate list: any that has started work (not one still applying)."""
    found = (
        Kiosk.objects.filter(
            code=code[:20],
            status__in=[KioskStatus.ACTIVE, KioskStatus.SUSPENDED],
        )
        .select_related("district", "gram_panchayat", "urban_body")
        .first()
    )
    if found is None:
        raise Http404(code)
    return found


# --- ledger reads (read-only) ----------------------------------------------------------------


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[first moment of the month, first moment of the next) in the project's zone (IST)."""
    zone = timezone.get_current_timezone()
    start = datetime(month.year, month.month, 1, tzinfo=zone)
    nxt = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    end = datetime(nxt.year, nxt.month, 1, tzinfo=zone)
    return start, end


def wallet_transaction_counts(
    operator_ids: Iterable[int], start: datetime, end: datetime
) -> dict[int, int]:
    """operator id → journal transactions touching their wallet in [start, end), one query."""
    ids = [str(i) for i in operator_ids]
    if not ids:
        return {}
    wallets = dict(
        Account.objects.filter(
            kind=AccountKind.KIOSK_WALLET, owner_type=OPERATOR_WALLET_OWNER, owner_id__in=ids
        ).values_list("pk", "owner_id")
    )
    if not wallets:
        return {}
    rows = (
        Entry.objects.filter(
            account_id__in=list(wallets), created_at__gte=start, created_at__lt=end
        )
        .values("account_id")
        .annotate(n=Count("transaction_id", distinct=True))
    )
    return {int(wallets[row["account_id"]]): int(row["n"]) for row in rows}


# --- coverage --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageRow:
    kind: str  # "gp" | "ulb"
    lgd_code: int
    name: str
    district: District
    area: str  # panchayat samiti, or the urban body's type
    active_kiosks: int

    @property
    def covered(self) -> bool:
        return self.active_kiosks > 0


def _active_counts(field: str) -> dict[int, int]:
    """unit id → active kiosks serving it (only units that have one: a small dict)."""
    rows = (
        Kiosk.objects.filter(status=KioskStatus.ACTIVE, **{f"{field}__isnull": False})
        .values(field)
        .annotate(n=Count("id"))
        .values_list(field, "n")
    )
    return {int(unit): int(n) for unit, n in rows}


def coverage_rows(*, district: str = "", covered: str = "", kind: str = "") -> list[CoverageRow]:
    """Every gram panchayat and urban body, with how many active kiosks serve it.

    `covered` is "yes", "no" or "" (all); `kind` is "gp", "ulb" or "" (both). Reads plain
    tuples and joins in Python: 11,000+ units in ~50 ms instead of a model per row."""
    districts = {d.pk: d for d in District.objects.all()}
    rows: list[CoverageRow] = []

    def wanted(n: int) -> bool:
        return covered == "" or (covered == "yes") == (n > 0)

    if kind in ("", "gp"):
        counts = _active_counts("gram_panchayat")
        gps = GramPanchayat.objects.all()
        if district:
            gps = gps.filter(district__slug=district)
        for pk, code, name, samiti, district_id in gps.values_list(
            "pk", "lgd_code", "name_en", "panchayat_samiti_name", "district_id"
        ):
            n = counts.get(pk, 0)
            if wanted(n):
                rows.append(CoverageRow("gp", code, name, districts[district_id], samiti, n))
    if kind in ("", "ulb"):
        counts = _active_counts("urban_body")
        labels = dict(UrbanBodyType.choices)
        ulbs = UrbanBody.objects.all()
        if district:
            ulbs = ulbs.filter(district__slug=district)
        for pk, code, name_en, name_hi, body_type, district_id in ulbs.values_list(
            "pk", "lgd_code", "name_en", "name_hi", "body_type", "district_id"
        ):
            n = counts.get(pk, 0)
            if wanted(n):
                name = name_hi if _hindi() and name_hi else name_en
                label = str(labels.get(body_type, body_type))
                rows.append(CoverageRow("ulb", code, name, districts[district_id], label, n))
    rows.sort(key=lambda r: (r.district.name_en, r.kind, r.area, r.name))
    return rows


def _hindi() -> bool:
    return (get_language() or "").split("-")[0] == "hi"


@dataclass(frozen=True)
class DistrictCoverage:
    district: District
    active_kiosks: int
    units: int  # GPs + ULBs listed under the district
    covered_units: int

    @property
    def uncovered_units(self) -> int:
        return self.units - self.covered_units

    @property
    def percent(self) -> int | None:
        return None if not self.units else round(100 * self.covered_units / self.units)


def district_coverage() -> list[DistrictCoverage]:
    """For each district: active kiosks, GPs + ULBs and how many of them are covered (5 queries)."""
    active = Kiosk.objects.filter(status=KioskStatus.ACTIVE)
    kiosks = dict(
        active.values("district_id").annotate(n=Count("id")).values_list("district_id", "n")
    )
    served = Exists(active.filter(gram_panchayat=OuterRef("pk")))
    served_ulb = Exists(active.filter(urban_body=OuterRef("pk")))
    units: dict[int, int] = {}
    covered: dict[int, int] = {}
    gp_rows = (
        GramPanchayat.objects.annotate(s=served)
        .values("district_id")
        .annotate(n=Count("id"), c=Count("id", filter=Q(s=True)))
    )
    ulb_rows = (
        UrbanBody.objects.annotate(s=served_ulb)
        .values("district_id")
        .annotate(n=Count("id"), c=Count("id", filter=Q(s=True)))
    )
    for row in [*gp_rows, *ulb_rows]:
        units[row["district_id"]] = units.get(row["district_id"], 0) + row["n"]
        covered[row["district_id"]] = covered.get(row["district_id"], 0) + row["c"]
    return [
        DistrictCoverage(
            district=d,
            active_kiosks=kiosks.get(d.pk, 0),
            units=units.get(d.pk, 0),
            covered_units=covered.get(d.pk, 0),
        )
        for d in District.objects.order_by("name_en")
    ]


# --- complaints ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintFilters:
    state: str = ""
    category: str = ""
    overdue: bool = False
    kiosk: str = ""
    district: str = ""


def visible_complaints(user: User) -> QuerySet[Complaint]:
    rows = Complaint.objects.select_related("kiosk", "district", "handled_by")
    if user.is_statewide:
        return rows
    if user.role == Role.DISTRICT_ADMIN and user.district_id is not None:
        return rows.filter(district_id=user.district_id)
    return rows.none()


def complaints_for(user: User, filters: ComplaintFilters) -> QuerySet[Complaint]:
    rows = visible_complaints(user)
    if filters.state in ComplaintState.values:
        rows = rows.filter(state=filters.state)
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.overdue:
        rows = rows.filter(state__in=OPEN_COMPLAINT_STATES, due_at__lt=timezone.now())
    if filters.kiosk:
        rows = rows.filter(kiosk__code__iexact=filters.kiosk[:20])
    if filters.district:
        rows = rows.filter(district__slug=filters.district)
    return rows.order_by("due_at" if filters.overdue else "-created_at", "-id")


def complaint_for(user: User, number: str) -> Complaint:
    found = visible_complaints(user).filter(number=number[:32]).first()
    if found is None:
        raise Http404(number)
    return found


def serving_kiosk(user: Any) -> Kiosk:
    """The operator's kiosk if it may serve citizens now; for the apps that take money at the
    counter (bill payments, applications) to call before they act. Raises NoKiosk, or
    KioskNotActive with a message saying the kiosk is suspended, terminated or not yet active."""
    from emitra.kiosks.errors import KioskNotActive, NoKiosk

    kiosk = kiosk_of_operator(user)
    if kiosk is None:
        raise NoKiosk()
    if kiosk.status != KioskStatus.ACTIVE:
        raise KioskNotActive(str(kiosk.get_status_display()))
    return kiosk
