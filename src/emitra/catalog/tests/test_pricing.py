"""Quotes: the rate card of DESIGN.md §4, exact in paise, explained line by line."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emitra.catalog import pricing
from emitra.catalog.models import (
    ChargeRule,
    CommissionRule,
    RateCard,
    RevenueHead,
    Service,
    ServiceVersion,
)
from emitra.catalog.tests import factories
from emitra.core.errors import InvalidInput, NotFound
from emitra.core.money import Paise

# Built in memory: the arithmetic needs no database.
CARD = RateCard()
HEAD = RevenueHead(code="jvvnl-bill", name_en="JVVNL bill", name_hi="बिजली बिल")
FEE_HEAD = RevenueHead(code="transport-fee", name_en="Licence fee", name_hi="लाइसेंस शुल्क")
SERVICE = Service(code="x", name_en="X", name_hi="एक्स", channels=factories.ALL_CHANNELS)


def make_version(rule: str, **extra) -> ServiceVersion:
    return ServiceVersion(service=SERVICE, number=1, charge_rule=rule, **extra)


def priced(
    version: ServiceVersion,
    amount: int = 0,
    *,
    fees=(),
    channel="kiosk",
    category="B",
    quantity=1,
    card: RateCard = CARD,
) -> pricing.Quote:
    return pricing.build_quote(
        service=SERVICE,
        version=version,
        fees=list(fees),
        rate_card=card,
        amount=Paise(amount),
        channel=channel,
        kiosk_category=category,
        at=factories.SINCE,
        quantity=quantity,
    )


def amounts(quote: pricing.Quote) -> dict[str, int]:
    return {line.kind: line.amount for line in quote.lines}


COLLECTION = make_version(ChargeRule.COLLECTION, collects_amount=True, collection_head=HEAD)
BILL = make_version(ChargeRule.BILL_DEPARTMENT_PAID, collects_amount=True, collection_head=HEAD)


# --- the rate card, line by line ----------------------------------------------------------


def test_a_g2c_application_costs_50_rupees_and_kiosk_b_gets_77_percent():
    quote = priced(make_version(ChargeRule.G2C_APPLICATION))

    assert quote.total_citizen == 50_00
    assert amounts(quote) == {
        "service_charge": 50_00,
        "commission_kiosk": 38_50,
        "commission_lsp": 4_00,
        "commission_state": 7_50,
    }
    assert {line.payer for line in quote.lines} == {"citizen"}


def test_a_g2b_application_costs_100_rupees():
    assert priced(make_version(ChargeRule.G2B_APPLICATION)).total_citizen == 100_00


@pytest.mark.parametrize(
    ("bill", "charge"),
    [
        (1, 10_00),
        (2_000_00, 10_00),  # ₹2,000: the base
        (2_000_01, 12_00),  # ₹2,000.01: the first further part
        (3_000_00, 12_00),  # ₹3,000: still the first ₹1,000
        (3_000_01, 14_00),  # ₹3,000.01: the second
        (10_000_00, 26_00),
    ],
)
def test_fee_collection_is_10_rupees_to_2000_then_2_per_further_1000_or_part(bill, charge):
    quote = priced(COLLECTION, bill)

    assert quote.service_charge == charge
    assert quote.total_citizen == bill + charge
    assert [line.code for line in quote.charges] == ["jvvnl-bill", "collection"]


def test_electricity_bills_are_free_to_the_citizen_and_the_department_pays_the_commission():
    quote = priced(BILL, 1_234_56)

    assert quote.total_citizen == 1_234_56  # the bill alone
    assert quote.total_department == 10_00
    charge = next(line for line in quote.lines if line.kind == "service_charge")
    assert charge.payer == "department"
    assert {line.payer for line in quote.shares} == {"department"}
    assert sum(line.amount for line in quote.shares) == 10_00


def test_signed_certificate_print_is_20_rupees_a_page_and_a_pvc_card_30():
    assert priced(make_version(ChargeRule.CERTIFICATE_PRINT), quantity=3).total_citizen == 60_00
    assert priced(make_version(ChargeRule.PVC_CARD)).total_citizen == 30_00


def test_government_fees_go_to_their_revenue_heads_beside_the_service_charge():
    quote = priced(make_version(ChargeRule.G2C_APPLICATION), fees=[(FEE_HEAD, 350_00)])

    assert quote.lines[0].kind == "revenue_head"
    assert quote.lines[0].code == "transport-fee"
    assert (quote.lines[0].label_en, quote.lines[0].label_hi) == ("Licence fee", "लाइसेंस शुल्क")
    assert quote.government_fees == 350_00
    assert quote.total_citizen == 400_00


def test_gst_is_added_on_the_service_charge_and_is_not_shared():
    quote = priced(make_version(ChargeRule.FIXED, service_charge=25_00, tax_rate_bp=1800))

    assert amounts(quote)["tax"] == 4_50
    assert next(line.code for line in quote.lines if line.kind == "tax") == "gst"
    assert quote.total_citizen == 29_50
    assert sum(line.amount for line in quote.shares) == 25_00


def test_the_state_keeps_the_rounding_remainder():
    card = RateCard(g2c_application_charge=33)  # 33 paise: 77 % is 25.41
    quote = priced(make_version(ChargeRule.G2C_APPLICATION), card=card)

    assert amounts(quote) == {
        "service_charge": 33,
        "commission_kiosk": 25,
        "commission_lsp": 2,
        "commission_state": 6,
    }


def test_kiosk_categories_change_only_the_kiosk_and_state_shares():
    version = make_version(ChargeRule.G2C_APPLICATION)
    a, b, c = (amounts(priced(version, category=k)) for k in "ABC")

    assert (a["commission_kiosk"], b["commission_kiosk"], c["commission_kiosk"]) == (
        40_00,
        38_50,
        35_00,
    )
    assert a["commission_lsp"] == b["commission_lsp"] == c["commission_lsp"] == 4_00


def test_on_the_portal_no_kiosk_or_lsp_earns_and_the_state_keeps_the_charge():
    quote = priced(make_version(ChargeRule.G2C_APPLICATION), channel="portal", category="")

    assert amounts(quote) == {"service_charge": 50_00, "commission_state": 50_00}
    assert quote.shares[0].code == "self"


def test_a_version_with_its_own_commission_rule_uses_it():
    rule = CommissionRule(code="b2c", kiosk_b_bp=6500, lsp_b_bp=1000, state_b_bp=2500)
    quote = priced(make_version(ChargeRule.FIXED, service_charge=20_00, commission_rule=rule))

    assert amounts(quote)["commission_kiosk"] == 13_00


@pytest.mark.parametrize(
    ("version", "amount", "code"),
    [
        (COLLECTION, 0, "catalog.amount_required"),
        (make_version(ChargeRule.G2C_APPLICATION), 100, "catalog.amount_not_collected"),
        (COLLECTION, -1, "catalog.amount_out_of_range"),
    ],
)
def test_amounts_that_do_not_fit_the_service_are_refused(version, amount, code):
    with pytest.raises(InvalidInput) as refused:
        priced(version, amount)
    assert refused.value.code == code


# --- properties ---------------------------------------------------------------------------

EDGES = [2_000_00, 2_000_01, 3_000_00, 3_000_01]
bills = st.one_of(
    st.sampled_from(EDGES),
    st.integers(min_value=1, max_value=10_00_000_00),  # up to ₹10 lakh
    st.sampled_from(EDGES).flatmap(lambda edge: st.integers(edge - 200, edge + 200)),
).filter(lambda amount: amount > 0)
charge_rules = st.sampled_from([COLLECTION, BILL])
categories = st.sampled_from(["A", "B", "C"])
channels = st.sampled_from(factories.ALL_CHANNELS)
splits = st.integers(0, 10_000).flatmap(
    lambda kiosk: st.integers(0, 10_000 - kiosk).map(lambda lsp: (kiosk, lsp, 10_000 - kiosk - lsp))
)


def check_invariants(quote: pricing.Quote) -> None:
    assert all(line.amount >= 0 for line in quote.lines)
    for payer, total in (("citizen", quote.total_citizen), ("department", quote.total_department)):
        assert sum(line.amount for line in quote.charges if line.payer == payer) == total
    assert sum(line.amount for line in quote.shares) == quote.service_charge
    assert all(isinstance(line.amount, int) for line in quote.lines)


@given(bills, charge_rules, categories, channels)
def test_parts_sum_exactly_and_shares_are_never_negative(amount, version, category, channel):
    check_invariants(priced(version, amount, channel=channel, category=category))


@given(bills, bills, charge_rules, categories)
def test_totals_never_fall_as_the_amount_rises(first, second, version, category):
    low, high = sorted((first, second))
    quote_low, quote_high = (
        priced(version, low, category=category),
        priced(version, high, category=category),
    )

    assert quote_low.total_citizen <= quote_high.total_citizen
    assert quote_low.total_department <= quote_high.total_department
    assert quote_low.service_charge <= quote_high.service_charge


@given(bills, splits, st.integers(0, 5000), categories)
def test_any_split_and_tax_still_sum_exactly(amount, split, tax_bp, category):
    rule = CommissionRule(
        code="r",
        **{
            f"{p}_{category.lower()}_bp": v
            for p, v in zip(("kiosk", "lsp", "state"), split, strict=True)
        },
    )
    version = make_version(
        ChargeRule.COLLECTION,
        collects_amount=True,
        collection_head=HEAD,
        commission_rule=rule,
        tax_rate_bp=tax_bp,
    )
    check_invariants(priced(version, amount, fees=[(FEE_HEAD, 123_45)], category=category))


# --- with the database: the version in force explains the past ---------------------------


@pytest.mark.django_db
def test_a_past_transaction_is_priced_by_the_version_in_force_then():
    factories.rate_card()
    service = factories.service()
    head = factories.head()
    change = factories.SINCE + timedelta(days=400)
    factories.version(service, number=1, fees=[(head, 10_00)], effective_to=change)
    factories.version(service, number=2, fees=[(head, 25_00)], effective_from=change)

    before = pricing.quote(
        service=service,
        amount=Paise(0),
        channel="kiosk",
        kiosk_category="B",
        at=change - timedelta(seconds=1),
    )
    after = pricing.quote(
        service=service, amount=Paise(0), channel="kiosk", kiosk_category="B", at=change
    )

    assert (before.version.number, before.total_citizen) == (1, 60_00)
    assert (after.version.number, after.total_citizen) == (2, 75_00)
    assert before.rate_card.pk == after.rate_card.pk


@pytest.mark.django_db
def test_quote_refuses_a_channel_the_service_is_not_offered_on_and_a_bad_category():
    factories.rate_card()
    service = factories.service(channels=["kiosk"])
    factories.version(service)

    with pytest.raises(InvalidInput, match="channel"):
        pricing.quote(service=service, amount=Paise(0), channel="portal", kiosk_category="B")
    with pytest.raises(InvalidInput):
        pricing.quote(service=service, amount=Paise(0), channel="kiosk", kiosk_category="Z")


@pytest.mark.django_db
def test_quote_says_when_nothing_is_in_force():
    service = factories.service()
    with pytest.raises(NotFound):
        pricing.quote(service=service, amount=Paise(0), channel="kiosk", kiosk_category="B")
    factories.version(service)
    with pytest.raises(NotFound) as missing:
        pricing.quote(service=service, amount=Paise(0), channel="kiosk", kiosk_category="B")
    assert missing.value.code == "catalog.no_rate_card"
