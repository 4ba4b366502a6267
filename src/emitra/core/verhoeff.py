"""The Verhoeff check digit, as used by Aadhaar: it catches every single-digit error and every
transposition of adjacent digits (which a simple mod-10 sum misses)."""

from __future__ import annotations

# The dihedral group D5 multiplication table, the position permutation and the inverse table.
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


def _checksum(digits: str, *, offset: int) -> int:
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[(i + offset) % 8][ord(ch) - 48]]
    return c


def _require_digits(digits: str) -> None:
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ValueError("Verhoeff works on a non-empty string of ASCII digits")


def check_digit(digits: str) -> str:
    """The digit to append to ``digits`` so that the whole number is valid."""
    _require_digits(digits)
    return str(_INV[_checksum(digits, offset=1)])


def is_valid(number: str) -> bool:
    """True if ``number`` (digits only, check digit last) passes the Verhoeff check."""
    if not number or not number.isascii() or not number.isdigit():
        return False
    return _checksum(number, offset=0) == 0
