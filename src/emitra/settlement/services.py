"""Daily department settlement, and reconciliation against the partners' reports.

Settlement
----------
`settle_department_day` takes one department's IST day: the sum, per revenue-head account
(`revenue:<dept>:<head>`), of the day's entries that are not themselves settlements, moved in
ONE journal transaction to the department's settlement payable account
(`settlement:<dept>:bank`), keyed `settle:<dept>:<day>` in scope "settlement". The Settlement
row, its gapless number (series STL), the journal and the file are written in one database
transaction, so they exist together or not at all; running the same day again returns the
first settlement. A day is settled only once it is over in IST (the daily job waits until
01:00 for entries committed around midnight). A head whose day nets to a debit (a reversal of
an earlier day's payment) is settled as a debit: the department's payable shrinks.

Reconciliation
--------------
`reconcile_gateway_day` downloads the gateway's settlement file for a day and compares it with
our gateway orders of every kind (`gateway_orders`: wallet top-ups, online bills and whatever
else registers a source); `import_biller_report` compares a biller's report with the day's
entries on `biller:<code>:clearing`, matched by the transactions' cause ids. Each disagreement
is a Mismatch row, once per (source, partner, day, reference, kind): running a day again refreshes
the open ones and closes those no longer found. Files are fetched outside any transaction.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import structlog
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from emitra.accounts.models import User
from emitra.catalog.models import Department
from emitra.core import audit
from emitra.core.errors import Conflict, InvalidInput, NotFound
from emitra.core.ids import next_number
from emitra.core.money import plain_rupees
from emitra.core.timeutil import IST, to_ist
from emitra.ledger import chart
from emitra.ledger import services as ledger
from emitra.ledger.models import Account, AccountKind, Entry
from emitra.payments import services as payments
from emitra.payments.errors import GatewayUnavailable
from emitra.payments.models import TopUpState
from emitra.settlement import gateway_files, gateway_orders
from emitra.settlement.gateway_orders import OrderRef
from emitra.settlement.models import (
    Mismatch,
    MismatchKind,
    MismatchState,
    ReconciliationRun,
    Settlement,
    Source,
)

log = structlog.get_logger(__name__)

LEDGER_SCOPE = "settlement"
LEDGER_KIND = "settlement"
NUMBER_SERIES = "STL"
SETTLE_AFTER_HOUR = 1  # the daily job settles yesterday from 01:00 IST
MAX_REPORT_BYTES = 20 * 1024 * 1024


# --- refusals ------------------------------------------------------------------------------------


class UnknownDepartment(NotFound):
    def __init__(self, code: str) -> None:
        super().__init__(
            "settlement.unknown_department",
            gettext_lazy("There is no department “%(code)s”.") % {"code": code},
        )


class DayNotOver(InvalidInput):
    def __init__(self, day: date) -> None:
        super().__init__(
            "settlement.day_not_over",
            gettext_lazy("%(day)s is not over yet in IST; it can be settled from tomorrow.")
            % {"day": day.isoformat()},
        )


class MalformedReport(InvalidInput):
    def __init__(self, detail: str) -> None:
        super().__init__(
            "settlement.malformed_report",
            gettext_lazy("The report could not be read: %(detail)s") % {"detail": detail},
        )


class AlreadyResolved(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "settlement.already_resolved", gettext_lazy("This mismatch is already resolved.")
        )


class NoteRequired(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "settlement.note_required",
            gettext_lazy("Write how the mismatch was resolved."),
        )


class NotRecheckable(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "settlement.not_recheckable",
            gettext_lazy(
                "Only an open “paid at the partner, not credited by us” mismatch of a known "
                "top-up can be checked at the gateway."
            ),
        )


# --- days ----------------------------------------------------------------------------------------


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The IST day as [start, end) instants."""
    start = datetime.combine(day, time.min, tzinfo=IST)
    return start, start + timedelta(days=1)


def today_ist(now: datetime | None = None) -> date:
    return to_ist(now or timezone.now()).date()


# --- settlement ----------------------------------------------------------------------------------


def settlement_account(department: Department) -> Account:
    """What the department is owed until the bank transfer (a hot account)."""
    return chart.department_payable(
        department=department.code, name=f"{department.name_en} settlement payable"
    )


@dataclass(frozen=True)
class DayLine:
    transaction_id: int
    at: datetime
    kind: str
    cause_type: str
    cause_id: str
    account_code: str
    amount: int


def _day_lines(department_code: str, day: date) -> list[DayLine]:
    """The day's entries on the department's revenue heads, settlements left out."""
    start, end = day_bounds(day)
    entries = (
        Entry.objects.filter(
            account__code__startswith=f"revenue:{department_code}:",
            account__kind=AccountKind.REVENUE_HEAD,
            created_at__gte=start,
            created_at__lt=end,
        )
        .exclude(transaction__kind=LEDGER_KIND)
        .select_related("account", "transaction")
        .order_by("created_at", "transaction_id", "id")
    )
    return [
        DayLine(
            transaction_id=entry.transaction_id,
            at=entry.created_at,
            kind=entry.transaction.kind,
            cause_type=entry.transaction.cause_type,
            cause_id=entry.transaction.cause_id,
            account_code=entry.account.code,
            amount=entry.amount,
        )
        for entry in entries
    ]


def _head_totals(lines: Iterable[DayLine]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for line in lines:
        totals[line.account_code] += line.amount
    return {code: amount for code, amount in sorted(totals.items()) if amount != 0}


def build_file(
    *,
    number: str,
    department: Department,
    day: date,
    head_totals: dict[str, int],
    head_names: dict[str, str],
    lines: Sequence[DayLine],
) -> str:
    """The settlement file: a heading, the revenue-head totals, then every transaction.
    Written in English (the bank's and the treasury's language), amounts in rupees."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    with translation.override("en"):
        writer.writerow([_("Settlement"), number])
        writer.writerow([_("Department"), department.code, department.name_en])
        writer.writerow([_("Day (IST)"), day.isoformat()])
        writer.writerow(
            [
                _("Bank"),
                department.settlement_bank_name,
                department.settlement_ifsc,
                department.settlement_account_number,
            ]
        )
        writer.writerow([])
        writer.writerow([_("Revenue head account"), _("Revenue head"), _("Amount (INR)")])
        for code, amount in head_totals.items():
            writer.writerow([code, head_names.get(code, ""), plain_rupees(amount)])
        writer.writerow([_("Total"), "", plain_rupees(sum(head_totals.values()))])
        writer.writerow([])
        writer.writerow(
            [
                _("Transaction no."),
                _("Time (IST)"),
                _("Kind"),
                _("Cause"),
                _("Reference"),
                _("Revenue head account"),
                _("Amount (INR)"),
            ]
        )
        for line in lines:
            writer.writerow(
                [
                    line.transaction_id,
                    to_ist(line.at).isoformat(timespec="seconds"),
                    line.kind,
                    line.cause_type,
                    line.cause_id,
                    line.account_code,
                    plain_rupees(line.amount),
                ]
            )
    return out.getvalue()


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def settle_department_day(
    *, department_code: str, day: date, actor: User | None = None, now: datetime | None = None
) -> Settlement:
    """Settle one department's IST day (idempotent: a settled day returns its settlement)."""
    department = Department.objects.filter(code=department_code).first()
    if department is None:
        raise UnknownDepartment(department_code)
    if day >= today_ist(now):
        raise DayNotOver(day)
    existing = Settlement.objects.filter(department=department, day=day).first()
    if existing is not None:
        return existing
    payable = settlement_account(department)
    try:
        with transaction.atomic():
            lines = _day_lines(department.code, day)
            totals = _head_totals(lines)
            accounts = {a.code: a for a in Account.objects.filter(code__in=list(totals))}
            total = sum(totals.values())
            number = next_number(NUMBER_SERIES).text
            entries: list[tuple[Account, int]] = [
                (accounts[code], -amount) for code, amount in totals.items()
            ]
            if total != 0:
                entries.append((payable, total))
            journal = (
                ledger.post_journal(
                    entries=entries,
                    kind=LEDGER_KIND,
                    scope=LEDGER_SCOPE,
                    key=f"settle:{department.code}:{day.isoformat()}",
                    cause=ledger.Cause("settlement.settlement", number),
                    actor_id=actor.pk if actor is not None else None,
                    memo=f"{number} {department.code} {day.isoformat()}",
                )
                if entries
                else None
            )
            text = build_file(
                number=number,
                department=department,
                day=day,
                head_totals=totals,
                head_names={code: a.name for code, a in accounts.items()},
                lines=lines,
            )
            settlement = Settlement.objects.create(
                number=number,
                department=department,
                day=day,
                total=total,
                head_totals=totals,
                transaction_count=len({line.transaction_id for line in lines}),
                journal_transaction=journal,
                file_csv=text,
                file_checksum=checksum(text),
            )
            audit.record(
                actor=actor,
                actor_label="" if actor is not None else "settlement job",
                action="settlement.settled",
                obj=settlement,
                after={
                    "number": number,
                    "department": department.code,
                    "day": day.isoformat(),
                    "total": total,
                    "journal": journal.pk if journal is not None else None,
                },
            )
    except IntegrityError:
        # A concurrent run of the same day committed first: its settlement is the answer.
        existing = Settlement.objects.filter(department=department, day=day).first()
        if existing is None:
            raise
        return existing
    log.info("settlement.settled", number=number, department=department.code, total=total)
    return settlement


@dataclass
class DailyRun:
    settled: list[Settlement] = field(default_factory=list)
    reconciled: bool = False
    skipped_reason: str = ""


def run_daily(*, now: datetime | None = None) -> DailyRun:
    """The daily job: from 01:00 IST, settle yesterday for every department not yet settled,
    and reconcile yesterday's gateway file once."""
    moment = to_ist(now or timezone.now())
    result = DailyRun()
    if moment.hour < SETTLE_AFTER_HOUR:
        result.skipped_reason = "before 01:00 IST"
        return result
    yesterday = moment.date() - timedelta(days=1)
    done = set(Settlement.objects.filter(day=yesterday).values_list("department_id", flat=True))
    for department in Department.objects.exclude(pk__in=done).order_by("code"):
        result.settled.append(
            settle_department_day(department_code=department.code, day=yesterday, now=moment)
        )
    if not ReconciliationRun.objects.filter(source=Source.GATEWAY, day=yesterday).exists():
        try:
            reconcile_gateway_day(day=yesterday)
            result.reconciled = True
        except GatewayUnavailable as exc:
            # The code and the gateway's own words: logs are read in English, whatever the
            # language active for the job.
            log.warning(
                "settlement.gateway_unreachable",
                day=str(yesterday),
                code=exc.code,
                detail=exc.detail,
            )
    return result


# --- reconciliation: shared ----------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    reference: str
    kind: MismatchKind
    ours: int | None
    theirs: int | None
    detail: str = ""
    order_kind: str = ""  # a gateway order source's kind ("topup", "online_bill"), or ""
    order_pk: int | None = None

    @property
    def topup_id(self) -> int | None:
        return self.order_pk if self.order_kind == gateway_orders.TOPUP else None


@dataclass(frozen=True)
class ReconcileResult:
    run: ReconciliationRun
    findings: list[Finding]
    opened: int
    closed: int


def _paise(text: str, *, line: int) -> int:
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:
        raise MalformedReport(f"line {line}: “{text}” is not an amount") from exc
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise MalformedReport(f"line {line}: “{text}” is not an amount")
    return int(value * 100)


def _read_csv(text: str, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    if len(text.encode("utf-8")) > MAX_REPORT_BYTES:
        raise MalformedReport("the file is too large")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [name for name in required if name not in (reader.fieldnames or [])]
    if missing:
        raise MalformedReport("missing columns " + ", ".join(missing))
    rows = []
    for row in reader:
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}))
    return rows


def _record(
    *,
    source: Source,
    partner: str,
    day: date,
    findings: Sequence[Finding],
    rows: int,
    digest: str,
    actor: User | None,
) -> ReconcileResult:
    """Store the findings of one run: new mismatches opened, open ones refreshed, open ones no
    longer found closed (a resolved mismatch stays resolved)."""
    with transaction.atomic():
        found_keys = set()
        opened = 0
        for finding in findings:
            found_keys.add((finding.reference, str(finding.kind)))
            mismatch, created = Mismatch.objects.get_or_create(
                source=source,
                partner=partner,
                day=day,
                reference=finding.reference[:100],
                kind=finding.kind,
                defaults={
                    "ours": finding.ours,
                    "theirs": finding.theirs,
                    "detail": finding.detail[:300],
                    "order_kind": finding.order_kind,
                    "order_pk": finding.order_pk,
                    "topup_id": finding.topup_id,
                },
            )
            if created:
                opened += 1
            elif mismatch.state == MismatchState.OPEN:
                Mismatch.objects.filter(pk=mismatch.pk).update(
                    ours=finding.ours,
                    theirs=finding.theirs,
                    detail=finding.detail[:300],
                    order_kind=finding.order_kind,
                    order_pk=finding.order_pk,
                    topup_id=finding.topup_id,
                )
        closed = 0
        now = timezone.now()
        with translation.override("en"):
            note = _("No longer found when the day was reconciled again.")
        for mismatch in Mismatch.objects.filter(
            source=source, partner=partner, day=day, state=MismatchState.OPEN
        ):
            if (mismatch.reference, mismatch.kind) not in found_keys:
                Mismatch.objects.filter(pk=mismatch.pk, state=MismatchState.OPEN).update(
                    state=MismatchState.RESOLVED, resolution_note=note, resolved_at=now
                )
                closed += 1
        run = ReconciliationRun.objects.create(
            source=source,
            partner=partner,
            day=day,
            rows=rows,
            mismatches=len(findings),
            file_checksum=digest,
        )
        audit.record(
            actor=actor,
            actor_label="" if actor is not None else "reconciliation",
            action="settlement.reconciled",
            obj=run,
            after={
                "source": str(source),
                "partner": partner,
                "day": day.isoformat(),
                "rows": rows,
                "mismatches": len(findings),
                "opened": opened,
                "closed": closed,
                "checksum": digest,
            },
        )
    log.info(
        "settlement.reconciled",
        source=str(source),
        partner=partner,
        day=str(day),
        mismatches=len(findings),
    )
    return ReconcileResult(run=run, findings=list(findings), opened=opened, closed=closed)


# --- reconciliation: the payment gateway ---------------------------------------------------------


@dataclass(frozen=True)
class GatewayRow:
    order_id: str
    merchant_order_id: str
    amount: int
    status: str


GATEWAY_COLUMNS = ("order_id", "merchant_order_id", "amount", "status")


def parse_gateway_file(text: str) -> list[GatewayRow]:
    return [
        GatewayRow(
            order_id=row["order_id"],
            merchant_order_id=row["merchant_order_id"],
            amount=_paise(row["amount"], line=line),
            status=row["status"].lower(),
        )
        for line, row in _read_csv(text, GATEWAY_COLUMNS)
    ]


def _compare_row(row: GatewayRow, order: OrderRef | None) -> Finding | None:
    reference = order.number if order is not None else (row.merchant_order_id or row.order_id)
    if row.status == "paid":
        if order is None:
            return Finding(
                reference,
                MismatchKind.MISSING_OURS,
                None,
                row.amount,
                f"gateway order {row.order_id} paid; no order of ours has its id or number",
            )
        if not order.collected:
            return _about(
                order,
                MismatchKind.MISSING_OURS,
                None,
                row.amount,
                f"gateway order {row.order_id} paid; our {_noun(order)}: {order.state}",
            )
        if order.amount != row.amount:
            detail = f"gateway order {row.order_id}"
            return _about(order, MismatchKind.AMOUNT, order.amount, row.amount, detail)
        return None
    if order is not None and order.collected:
        return _about(
            order,
            MismatchKind.FAILED_THEIRS,
            order.amount,
            row.amount,
            f"gateway order {row.order_id} is {row.status}",
        )
    return None


def _noun(order: OrderRef) -> str:
    source = gateway_orders.source_of(order.kind)
    return source.noun if source is not None else order.kind


def _about(
    order: OrderRef, kind: MismatchKind, ours: int | None, theirs: int | None, detail: str
) -> Finding:
    return Finding(order.number, kind, ours, theirs, detail, order.kind, order.pk)


def compare_gateway(
    *, day: date, rows: Sequence[GatewayRow], earlier_rows: Callable[[], Sequence[GatewayRow]]
) -> list[Finding]:
    """Every disagreement between the gateway's file for `day` and our orders of every kind
    (`gateway_orders`: top-ups, and those the apps above register).

    An order we collected on `day` but the gateway completed the day before (its callback was
    lost and a status check credited it after midnight) is looked for in the earlier file,
    fetched only when needed."""
    findings: list[Finding] = []
    counts = Counter(row.order_id for row in rows)
    unique: dict[str, GatewayRow] = {}
    for row in rows:
        unique.setdefault(row.order_id, row)
    orders = gateway_orders.find_orders(
        order_ids=list(unique), numbers=[row.merchant_order_id for row in unique.values()]
    )
    by_order = {o.gateway_order_id: o for o in orders if o.gateway_order_id}
    by_number = {o.number: o for o in orders}
    matched: set[tuple[str, int]] = set()
    for order_id, row in unique.items():
        order = by_order.get(order_id) or by_number.get(row.merchant_order_id)
        if order is not None:
            matched.add((order.kind, order.pk))
        if counts[order_id] > 1:
            detail = f"gateway order {order_id} appears {counts[order_id]} times"
            findings.append(
                _about(order, MismatchKind.DUPLICATE, order.amount, row.amount, detail)
                if order is not None
                else Finding(
                    row.merchant_order_id or order_id,
                    MismatchKind.DUPLICATE,
                    None,
                    row.amount,
                    detail,
                )
            )
        finding = _compare_row(row, order)
        if finding is not None:
            findings.append(finding)
    start, end = day_bounds(day)
    unreported = [
        order
        for order in gateway_orders.collected_between(start, end)
        if (order.kind, order.pk) not in matched
    ]
    if unreported:
        earlier = {row.order_id: row for row in earlier_rows()}
        for order in unreported:
            row_before = earlier.get(order.gateway_order_id)
            if row_before is None:
                findings.append(
                    _about(
                        order,
                        MismatchKind.MISSING_THEIRS,
                        order.amount,
                        None,
                        f"gateway order {order.gateway_order_id or '—'} not in the file",
                    )
                )
            elif (finding := _compare_row(row_before, order)) is not None:
                findings.append(finding)
    return findings


def reconcile_gateway_day(*, day: date, actor: User | None = None) -> ReconcileResult:
    """Download the gateway's settlement file for `day` and record every mismatch.
    Raises GatewayUnavailable (nothing recorded) when the gateway does not answer."""
    text = gateway_files.fetch_settlement_file(day)
    rows = parse_gateway_file(text)

    def earlier() -> list[GatewayRow]:
        return parse_gateway_file(gateway_files.fetch_settlement_file(day - timedelta(days=1)))

    findings = compare_gateway(day=day, rows=rows, earlier_rows=earlier)
    return _record(
        source=Source.GATEWAY,
        partner="",
        day=day,
        findings=findings,
        rows=len(rows),
        digest=checksum(text),
        actor=actor,
    )


# --- reconciliation: billers ---------------------------------------------------------------------


BILLER_COLUMNS = ("reference", "amount", "status")
BILLER_SUCCESS = ("success", "paid")


@dataclass(frozen=True)
class BillerRow:
    reference: str
    amount: int
    status: str


def parse_biller_report(text: str) -> list[BillerRow]:
    """A biller's daily report: reference (our payment's cause id), amount (rupees), status
    (success | failed)."""
    return [
        BillerRow(
            reference=row["reference"],
            amount=_paise(row["amount"], line=line),
            status=row["status"].lower(),
        )
        for line, row in _read_csv(text, BILLER_COLUMNS)
    ]


def biller_day_amounts(biller_code: str, day: date) -> dict[str, int]:
    """Net credits to the biller's clearing account on `day`, per cause id (a payment and its
    reversal on the same day net to nothing)."""
    start, end = day_bounds(day)
    nets: dict[str, int] = defaultdict(int)
    for cause_id, reversed_cause_id, txn_id, amount in Entry.objects.filter(
        account__code=f"biller:{biller_code}:clearing",
        created_at__gte=start,
        created_at__lt=end,
    ).values_list(
        "transaction__cause_id", "transaction__reverses__cause_id", "transaction_id", "amount"
    ):
        # A reversal's cause is the transaction it reverses: it counts against that payment.
        nets[reversed_cause_id or cause_id or f"txn:{txn_id}"] += amount
    return {reference: amount for reference, amount in nets.items() if amount > 0}


def compare_biller(*, ours: dict[str, int], rows: Sequence[BillerRow]) -> list[Finding]:
    findings: list[Finding] = []
    counts = Counter(row.reference for row in rows)
    unique: dict[str, BillerRow] = {}
    for row in rows:
        unique.setdefault(row.reference, row)
    for reference, row in unique.items():
        mine = ours.get(reference)
        if counts[reference] > 1:
            findings.append(
                Finding(
                    reference,
                    MismatchKind.DUPLICATE,
                    mine,
                    row.amount,
                    f"reported {counts[reference]} times",
                )
            )
        if row.status in BILLER_SUCCESS:
            if mine is None:
                findings.append(
                    Finding(reference, MismatchKind.MISSING_OURS, None, row.amount, row.status)
                )
            elif mine != row.amount:
                findings.append(Finding(reference, MismatchKind.AMOUNT, mine, row.amount))
        elif mine is not None:
            findings.append(
                Finding(reference, MismatchKind.FAILED_THEIRS, mine, row.amount, row.status)
            )
    for reference, mine in sorted(ours.items()):
        if reference not in unique:
            findings.append(Finding(reference, MismatchKind.MISSING_THEIRS, mine, None))
    return findings


def import_biller_report(
    biller_code: str, day: date, csv_text: str, *, actor: User | None = None
) -> ReconcileResult:
    """Compare a biller's report for `day` with what we credited to its clearing account."""
    rows = parse_biller_report(csv_text)
    findings = compare_biller(ours=biller_day_amounts(biller_code, day), rows=rows)
    return _record(
        source=Source.BILLER,
        partner=biller_code,
        day=day,
        findings=findings,
        rows=len(rows),
        digest=checksum(csv_text),
        actor=actor,
    )


# --- acting on mismatches ------------------------------------------------------------------------


def _snapshot(mismatch: Mismatch) -> dict[str, Any]:
    return {
        "state": mismatch.state,
        "resolution_note": mismatch.resolution_note,
        "reference": mismatch.reference,
        "kind": mismatch.kind,
    }


def resolve_mismatch(*, mismatch_id: int, actor: User, note: str) -> Mismatch:
    """Close a mismatch with the state admin's note (audited)."""
    note = (note or "").strip()
    if not note:
        raise NoteRequired()
    with transaction.atomic():
        mismatch = Mismatch.objects.select_for_update().filter(pk=mismatch_id).first()
        if mismatch is None:
            raise NotFound("settlement.no_mismatch", gettext_lazy("No such mismatch."))
        if mismatch.state != MismatchState.OPEN:
            raise AlreadyResolved()
        before = _snapshot(mismatch)
        mismatch.state = MismatchState.RESOLVED
        mismatch.resolution_note = note[:500]
        mismatch.resolved_by = actor
        mismatch.resolved_at = timezone.now()
        mismatch.save(update_fields=["state", "resolution_note", "resolved_by", "resolved_at"])
        audit.record(
            actor=actor,
            action="settlement.mismatch_resolved",
            obj=mismatch,
            before=before,
            after=_snapshot(mismatch),
        )
    return mismatch


def recheck_topup(*, mismatch_id: int, actor: User) -> Mismatch:
    """For "paid at the gateway, not credited by us": ask the gateway's status API about the
    top-up (payments' reconciliation credits it if it is paid) and, once credited, resolve."""
    mismatch = Mismatch.objects.filter(pk=mismatch_id).select_related("topup").first()
    if mismatch is None:
        raise NotFound("settlement.no_mismatch", gettext_lazy("No such mismatch."))
    if (
        mismatch.kind != MismatchKind.MISSING_OURS
        or mismatch.topup is None
        or mismatch.state != MismatchState.OPEN
    ):
        raise NotRecheckable()
    topup = payments.reconcile_topup(topup=mismatch.topup, actor=actor)
    if topup.state == TopUpState.PAID:
        with translation.override("en"):
            note = _("Credited by a status check at the gateway (%(number)s).") % {
                "number": topup.number
            }
        return resolve_mismatch(mismatch_id=mismatch.pk, actor=actor, note=note)
    mismatch.refresh_from_db()
    return mismatch
