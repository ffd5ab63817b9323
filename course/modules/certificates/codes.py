"""Certificate codes: 60 random bits as 12 Crockford base32 symbols and a check symbol.

Shown as `XXXX-XXXX-XXXX-C`. The check symbol is Damm-style over GF(32): folding
c = A·c ⊕ v over the symbols with A = x (neither 0 nor 1) makes every single wrong
symbol and every swap of neighbours change the result, so a typed code with one slip is
caught as a typo before any lookup (../shared/design/certificates.md). No Flask here.
"""

from __future__ import annotations

import secrets

from course.core.refusals import Refusal

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
BODY_LENGTH = 12
MODULUS = 0b100101  # x^5 + x^2 + 1, irreducible over GF(2)
A = 2  # the element x
# Forgiving input: what people type for what they mean.
READ_AS = {"O": "0", "I": "1", "L": "1"}
IGNORED = frozenset(" -\t\u00a0\u2010\u2011\u2012\u2013\u2014")


class CodeError(Refusal, ValueError):
    """`reason`: "format" (not 13 symbols of the alphabet) or "typo" (check fails)."""


def gf32_mul(a: int, b: int) -> int:
    result = 0
    while b:
        if b & 1:
            result ^= a
        b >>= 1
        a <<= 1
        if a & 0b100000:
            a ^= MODULUS
    return result


def _fold(symbols: str) -> int:
    c = 0
    for ch in symbols:
        c = gf32_mul(A, c) ^ VALUE[ch]
    return c


def check_symbol(body: str) -> str:
    return ALPHABET[gf32_mul(A, _fold(body))]


def new_code() -> str:
    """A fresh code, canonical (13 symbols, no dashes)."""
    value = secrets.randbits(5 * BODY_LENGTH)
    body = "".join(ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(BODY_LENGTH)))
    return body + check_symbol(body)


def normalize(typed: str) -> str:
    """The canonical code for what was typed; raises CodeError."""
    symbols = "".join(READ_AS.get(ch, ch) for ch in (typed or "").upper() if ch not in IGNORED)
    if len(symbols) != BODY_LENGTH + 1 or any(ch not in VALUE for ch in symbols):
        raise CodeError("format")
    if check_symbol(symbols[:-1]) != symbols[-1]:
        raise CodeError("typo")
    return symbols


def display(code: str) -> str:
    """`XXXX-XXXX-XXXX-C` for a canonical code."""
    return f"{code[0:4]}-{code[4:8]}-{code[8:12]}-{code[12]}"
