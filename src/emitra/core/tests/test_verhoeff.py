import pytest
from hypothesis import given
from hypothesis import strategies as st

from emitra.core.verhoeff import check_digit, is_valid

digits = st.text(alphabet="0123456789", min_size=1, max_size=20)


def test_published_examples():
    # The worked example of the algorithm (236 → 3) and a well-known test Aadhaar number.
    assert check_digit("236") == "3"
    assert is_valid("2363")
    assert check_digit("12345") == "1"
    assert is_valid("999941057058")
    assert not is_valid("999941057057")


@given(digits)
def test_a_number_with_its_check_digit_is_valid(body):
    assert is_valid(body + check_digit(body))


@given(digits, st.data())
def test_every_single_digit_error_is_caught(body, data):
    number = body + check_digit(body)
    position = data.draw(st.integers(0, len(number) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]))
    assert not is_valid(number[:position] + wrong + number[position + 1 :])


@given(digits, st.data())
def test_every_adjacent_transposition_is_caught(body, data):
    number = body + check_digit(body)
    pairs = [i for i in range(len(number) - 1) if number[i] != number[i + 1]]
    if not pairs:
        return
    i = data.draw(st.sampled_from(pairs))
    swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
    assert not is_valid(swapped)


@pytest.mark.parametrize("bad", ["", "12a4", "१२३४", " 1234"])
def test_non_digits_are_never_valid(bad):
    assert not is_valid(bad)
    with pytest.raises(ValueError):
        check_digit(bad)
