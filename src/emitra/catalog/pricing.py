"""What a transaction costs and who gets what: the rate card of DESIGN.md §4 applied to the
service version in force.

``quote()`` is the one entry point for channels and the ledger. Its result is exact integer
paise and explains itself line by line:

``Quote.lines`` — a list of ``QuoteLine(kind, code, label_en, label_hi, amount, payer)``:

- ``revenue_head``  a government fee or the collected amount (a bill), ``code`` = revenue head
  code; always paid by the citizen.
- ``service_charge`` the e-Mitra service charge, ``code`` = the version's charge rule
  (``g2c_application``, ``collection`` …). ``payer`` is ``"citizen"``, or ``"department"``
  for electricity and water bills (free to the citizen; the department pays the commission).
- ``tax``  GST on the service charge where the version has a rate, ``code`` = ``"gst"``; same
  payer as the service charge.
- ``commission_kiosk``, ``commission_lsp``, ``commission_state`` — how the service charge is
  shared (``code`` = the kiosk category, or ``"self"`` on channels without an operator). They
  split the service-charge line exactly and carry its payer; they are *not* added again to a
  total. The rounding remainder goes to the state.

Invariants (property-tested): every amount ≥ 0; the citizen's lines of kind ``revenue_head``,
``service_charge`` and ``tax`` sum exactly to ``Quote.total_citizen``; the department's to
``Quote.total_department``; the commission lines sum exactly to the service charge; totals
never fall as the amount rises. Lines of zero amount are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Literal

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from emitra.catalog import selectors
from emitra.catalog.models import (
    BASIS_POINTS,
    KIOSK_CATEGORIES,
    OPERATOR_CHANNELS,
    ChargeRule,
    CommissionSplitFields,
    RateCard,
    RevenueHead,
    Service,
    ServiceStatus,
    ServiceVersion,
    Split,
)
from emitra.core.errors import InvalidInput, NotFound
from emitra.core.money import MAX_AMOUNT, Paise

LineKind = Literal[
    "revenue_head",
    "service_charge",
    "tax",
    "commission_kiosk",
    "commission_lsp",
    "commission_state",
]
Payer = Literal["citizen", "department"]

CHARGE_KINDS: Final = frozenset({"revenue_head", "service_charge", "tax"})
SHARE_KINDS: Final = frozenset({"commission_kiosk", "commission_lsp", "commission_state"})
CITIZEN: Final = "citizen"
DEPARTMENT: Final = "department"
# On the portal, the app and the unmanned machine no operator works: the state keeps it all.
SELF_SERVICE_SPLIT: Final = Split(kiosk=0, lsp=0, state=BASIS_POINTS)

_LABELS: Final = {
    "service_charge": ("Service charge", "सेवा शुल्क"),
    "tax": ("GST on service charge", "सेवा शुल्क पर जीएसटी"),
    "commission_kiosk": ("Kiosk commission", "कियोस्क कमीशन"),
    "commission_lsp": ("LSP commission", "एलएसपी कमीशन"),
    "commission_state": ("State share", "राज्य का अंश"),
}


@dataclass(frozen=True)
class QuoteLine:
    kind: LineKind
    code: str
    label_en: str
    label_hi: str
    amount: Paise
    payer: Payer = CITIZEN

    @property
    def label(self) -> str:
        return self.label_hi if (get_language() or "hi").startswith("hi") else self.label_en

    @property
    def is_share(self) -> bool:
        return self.kind in SHARE_KINDS


@dataclass(frozen=True)
class Quote:
    service: Service
    version: ServiceVersion
    rate_card: RateCard
    channel: str
    kiosk_category: str
    at: datetime
    amount: Paise  # the collected amount asked about (a bill), 0 when none
    quantity: int
    lines: list[QuoteLine] = field(default_factory=list)
    total_citizen: Paise = field(default=Paise(0))
    total_department: Paise = field(default=Paise(0))

    @property
    def charges(self) -> list[QuoteLine]:
        """What is paid (revenue heads, service charge, tax), by citizen or department."""
        return [line for line in self.lines if line.kind in CHARGE_KINDS]

    @property
    def shares(self) -> list[QuoteLine]:
        """How the service charge is shared (kiosk, LSP, state)."""
        return [line for line in self.lines if line.kind in SHARE_KINDS]

    @property
    def service_charge(self) -> Paise:
        return Paise(sum(line.amount for line in self.lines if line.kind == "service_charge"))

    @property
    def government_fees(self) -> Paise:
        return Paise(sum(line.amount for line in self.lines if line.kind == "revenue_head"))

    @property
    def charge_payer(self) -> Payer:
        return (
            DEPARTMENT if self.version.charge_rule == ChargeRule.BILL_DEPARTMENT_PAID else CITIZEN
        )


def collection_charge(rate_card: RateCard, amount: int) -> Paise:
    """₹10 up to ₹2,000, then ₹2 for each further ₹1,000 or part of it (defaults)."""
    over = amount - rate_card.collection_base_limit
    steps = 0 if over <= 0 else -(-over // rate_card.collection_step_size)
    return Paise(rate_card.collection_base_charge + steps * rate_card.collection_step_charge)


def service_charge(
    version: ServiceVersion, rate_card: RateCard, amount: int, quantity: int
) -> Paise:
    rule = version.charge_rule
    if rule == ChargeRule.G2C_APPLICATION:
        return Paise(rate_card.g2c_application_charge)
    if rule == ChargeRule.G2B_APPLICATION:
        return Paise(rate_card.g2b_application_charge)
    if rule in (ChargeRule.COLLECTION, ChargeRule.BILL_DEPARTMENT_PAID):
        return collection_charge(rate_card, amount)
    if rule == ChargeRule.CERTIFICATE_PRINT:
        return Paise(rate_card.certificate_print_charge * quantity)
    if rule == ChargeRule.PVC_CARD:
        return Paise(rate_card.pvc_card_charge * quantity)
    if rule == ChargeRule.FIXED:
        return Paise(version.service_charge)
    return Paise(0)


def commission_split(*, policy: CommissionSplitFields, channel: str, kiosk_category: str) -> Split:
    if channel not in OPERATOR_CHANNELS:
        return SELF_SERVICE_SPLIT
    return policy.split(kiosk_category)


def build_quote(
    *,
    service: Service,
    version: ServiceVersion,
    fees: Sequence[tuple[RevenueHead, int]],
    rate_card: RateCard,
    amount: Paise,
    channel: str,
    kiosk_category: str,
    at: datetime,
    quantity: int = 1,
) -> Quote:
    """The arithmetic of a quote, without the database (``quote`` fetches, this computes)."""
    if amount < 0 or amount > MAX_AMOUNT:
        raise InvalidInput("catalog.amount_out_of_range", _("The amount is out of range."))
    if quantity < 1 or quantity > 100:
        raise InvalidInput("catalog.quantity_out_of_range", _("Enter from 1 to 100."))
    if version.collects_amount and amount <= 0:
        raise InvalidInput("catalog.amount_required", _("Enter the amount to be paid."))
    if not version.collects_amount and amount != 0:
        raise InvalidInput(
            "catalog.amount_not_collected", _("This service does not collect an amount.")
        )
    lines: list[QuoteLine] = [
        QuoteLine("revenue_head", head.code, head.name_en, head.name_hi, Paise(fee))
        for head, fee in fees
    ]
    if version.collects_amount:
        head = version.collection_head
        assert head is not None  # a DB constraint: collecting versions name their head
        lines.append(QuoteLine("revenue_head", head.code, head.name_en, head.name_hi, amount))
    payer: Payer = DEPARTMENT if version.charge_rule == ChargeRule.BILL_DEPARTMENT_PAID else CITIZEN
    charge = service_charge(version, rate_card, amount, quantity)
    lines.append(
        QuoteLine("service_charge", version.charge_rule, *_LABELS["service_charge"], charge, payer)
    )
    if version.tax_rate_bp:
        tax = Paise((charge * version.tax_rate_bp + BASIS_POINTS // 2) // BASIS_POINTS)
        lines.append(QuoteLine("tax", "gst", *_LABELS["tax"], tax, payer))
    policy: CommissionSplitFields = version.commission_rule or rate_card
    split = commission_split(policy=policy, channel=channel, kiosk_category=kiosk_category)
    kiosk = charge * split.kiosk // BASIS_POINTS
    lsp = charge * split.lsp // BASIS_POINTS
    code = kiosk_category if channel in OPERATOR_CHANNELS else "self"
    for kind, share in (
        ("commission_kiosk", kiosk),
        ("commission_lsp", lsp),
        ("commission_state", charge - kiosk - lsp),  # the remainder: the state's
    ):
        lines.append(QuoteLine(kind, code, *_LABELS[kind], Paise(share), payer))  # type: ignore[arg-type]
    lines = [line for line in lines if line.amount]
    return Quote(
        service=service,
        version=version,
        rate_card=rate_card,
        channel=channel,
        kiosk_category=kiosk_category,
        at=at,
        amount=amount,
        quantity=quantity,
        lines=lines,
        total_citizen=_total(lines, CITIZEN),
        total_department=_total(lines, DEPARTMENT),
    )


def _total(lines: list[QuoteLine], payer: Payer) -> Paise:
    return Paise(
        sum(line.amount for line in lines if line.payer == payer and line.kind in CHARGE_KINDS)
    )


def quote(
    *,
    service: Service,
    amount: Paise,
    channel: str,
    kiosk_category: str,
    at: datetime | None = None,
    quantity: int = 1,
) -> Quote:
    """Itemised price of ``service`` at ``at`` (now by default) on ``channel``.

    ``amount`` is the collected amount (a bill, a fee entered at the counter) and 0 for
    services that collect none; ``kiosk_category`` (A, B or C) decides the kiosk's share on
    the kiosk and @Home channels and is ignored elsewhere; ``quantity`` counts pages or cards
    for the print services. A past ``at`` explains a past transaction by the version and rate
    card in force then. Raises ``InvalidInput`` for a channel the service is not offered on,
    a bad category or amount; ``NotFound`` when no version or rate card is in force.
    """
    moment = at or timezone.now()
    if at is None and service.status != ServiceStatus.ACTIVE:
        raise InvalidInput("catalog.not_offered", _("This service is not offered now."))
    if channel not in service.channels:
        raise InvalidInput(
            "catalog.channel_not_offered", _("This service is not offered on this channel.")
        )
    if channel in OPERATOR_CHANNELS and kiosk_category not in KIOSK_CATEGORIES:
        raise InvalidInput("catalog.kiosk_category", _("The kiosk category must be A, B or C."))
    version = selectors.version_in_force(service, moment)
    if version is None:
        raise NotFound("catalog.no_version", _("No fee schedule is in force for this service."))
    rate_card = selectors.rate_card_in_force(moment)
    if rate_card is None:
        raise NotFound("catalog.no_rate_card", _("No rate card is in force."))
    fees = [(fee.revenue_head, fee.amount) for fee in version.fees.all()]
    return build_quote(
        service=service,
        version=version,
        fees=fees,
        rate_card=rate_card,
        amount=amount,
        channel=channel,
        kiosk_category=kiosk_category,
        at=moment,
        quantity=quantity,
    )


@dataclass(frozen=True)
class RateRow:
    """One line of the kiosk's printed rate list."""

    service: Service
    version: ServiceVersion
    government_fee: Paise
    service_charge: Paise | None  # None: depends on the amount (see slab)
    tax: Paise | None
    total: Paise | None  # what the citizen pays, when it does not depend on an amount
    per_page: bool
    collects_amount: bool
    department_pays: bool


@dataclass(frozen=True)
class RateList:
    rate_card: RateCard
    rows: list[RateRow]


def rate_list(at: datetime | None = None) -> RateList | None:
    """Every offered service with its price now: fixed fees, the service charge (or the slab
    when it depends on the amount) and the total, from two queries."""
    moment = at or timezone.now()
    rate_card = selectors.rate_card_in_force(moment)
    if rate_card is None:
        return None
    rows = []
    for version in selectors.versions_in_force_for_offered(moment):
        service = version.service
        fees = Paise(sum(fee.amount for fee in version.fees.all()))
        varies = version.charge_rule in (ChargeRule.COLLECTION, ChargeRule.BILL_DEPARTMENT_PAID)
        charge = None if varies else service_charge(version, rate_card, 0, 1)
        tax = (
            None
            if charge is None
            else Paise((charge * version.tax_rate_bp + BASIS_POINTS // 2) // BASIS_POINTS)
        )
        department_pays = version.charge_rule == ChargeRule.BILL_DEPARTMENT_PAID
        total = (
            None
            if charge is None or tax is None or version.collects_amount
            else Paise(fees + charge + tax)
        )
        rows.append(
            RateRow(
                service=service,
                version=version,
                government_fee=fees,
                service_charge=charge,
                tax=tax or None,
                total=total,
                per_page=version.charge_rule == ChargeRule.CERTIFICATE_PRINT,
                collects_amount=version.collects_amount,
                department_pays=department_pays,
            )
        )
    rows.sort(key=lambda row: (row.service.category.sort_order, row.service.name_en))
    return RateList(rate_card=rate_card, rows=rows)
