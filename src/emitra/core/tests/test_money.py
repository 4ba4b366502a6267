import re
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from emitra.core.errors import InvalidInput
from emitra.core.money import MAX_AMOUNT, format_indian_number, format_inr, parse_rupees

INDIAN = re.compile(r"^-?₹(\d{1,2}(,\d{2})*,\d{3}|\d{1,3})\.\d{2}$")


def indian_grouping(rupees: int) -> str:
    """Independent oracle: last three digits, then pairs."""
    digits = str(rupees)
    head, tail = digits[:-3], digits[-3:]
    pairs: list[str] = []
    while len(head) > 2:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    return ",".join([p for p in [head, *pairs] if p] + [tail]) if head or pairs else tail


def test_the_example_from_the_design():
    assert format_inr(12345678_50) == "₹1,23,45,678.50"
    assert format_inr(0) == "₹0.00"
    assert format_inr(99_999) == "₹999.99"
    assert format_inr(1_00_000_00) == "₹1,00,000.00"


@given(st.integers(min_value=0, max_value=10**15))
def test_format_groups_in_lakhs_and_crores_in_both_languages(paise):
    expected = f"₹{indian_grouping(paise // 100)}.{paise % 100:02d}"
    for language in ("hi", "en"):
        with translation.override(language):
            text = format_inr(paise)
        assert text == expected
        assert INDIAN.match(text)


@given(st.integers(min_value=0, max_value=MAX_AMOUNT))
def test_parse_reads_back_what_format_wrote(paise):
    assert parse_rupees(format_inr(paise)) == paise


@given(st.integers(min_value=0, max_value=10**12))
def test_parse_accepts_plain_and_international_grouping(paise):
    rupees = Decimal(paise) / 100
    assert parse_rupees(f"{rupees:.2f}") == paise
    assert parse_rupees(f"{rupees:,.2f}") == paise


@pytest.mark.parametrize(
    "text", ["", "abc", "-5", "1.234", "1,2,3", "₹", "1e5", "12..5", "١٢٣", str(10**13)]
)
def test_bad_amounts_are_refused_with_a_translated_message(text):
    with translation.override("hi"), pytest.raises(InvalidInput) as caught:
        parse_rupees(text)
    assert caught.value.code in {"money.invalid", "money.too_large"}
    assert str(caught.value.message)


def test_devanagari_digits_mean_the_same_amount():
    assert parse_rupees("१,२३४.५०") == 123450


def test_money_is_never_formatted_from_a_float():
    with pytest.raises(TypeError):
        format_inr(12.5)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10**12))
def test_counts_use_indian_grouping(value):
    assert format_indian_number(value) == indian_grouping(value)
