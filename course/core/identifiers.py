"""Kazakhstan's 12-digit identifiers (IIN for people, BIN for organisations): the check digit.

Weights 1…11 mod 11; when that gives 10, weights 3…11, 1, 2; a second 10 means no valid
number has these eleven digits. No Flask here.
"""

from __future__ import annotations

WEIGHTS_FIRST = tuple(range(1, 12))
WEIGHTS_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def check_digit(first_eleven: str) -> int | None:
    """The 12th digit for these 11, or None when no valid number has them."""
    digits = [int(d) for d in first_eleven]
    c = sum(d * w for d, w in zip(digits, WEIGHTS_FIRST, strict=True)) % 11
    if c == 10:
        c = sum(d * w for d, w in zip(digits, WEIGHTS_SECOND, strict=True)) % 11
        if c == 10:
            return None
    return c


def twelve_digits(typed: str) -> str | None:
    """The 12 ASCII digits typed (spaces ignored), or None when it is not that."""
    number = "".join((typed or "").split())
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        return None
    return number


def is_valid(number: str) -> bool:
    return check_digit(number[:11]) == int(number[11])
