"""The IIN (12-digit individual identification number): validation, keyed hash, offline tag.

Only a keyed HMAC of an IIN is ever stored, and no digit is ever shown: a plain or salted
hash of the ~5·10⁸ adult IINs is reversed in minutes. The first six digits need not be
the birth date (that link was dropped in 2013), so they are not checked. No Flask here.
"""

from __future__ import annotations

import hashlib
import hmac

from course.core.identifiers import check_digit, is_valid, twelve_digits
from course.core.refusals import Refusal

__all__ = ["IINError", "check_digit", "keyed_hash", "normalize", "offline_tag"]

TAG_LABEL = b"observer-course/iin-tag/v1"


class IINError(Refusal, ValueError):
    """`reason`: "format" (not 12 digits) or "check" (the check digit is wrong)."""


def normalize(typed: str) -> str:
    """The 12 digits of a valid IIN (spaces ignored); raises IINError."""
    iin = twelve_digits(typed)
    if iin is None:
        raise IINError("format")
    if not is_valid(iin):
        raise IINError("check")
    return iin


def keyed_hash(secret: bytes, code: str, iin: str) -> str:
    """HMAC-SHA256 of the IIN bound to one certificate code, hex."""
    return hmac.new(secret, f"{code}:{iin}".encode(), hashlib.sha256).hexdigest()


def offline_tag(code: str, iin: str) -> int:
    """10 bits an offline verifier can compare: a wrong IIN passes 1 time in 1,024."""
    digest = hashlib.sha256(TAG_LABEL + b"\x00" + code.encode() + b"\x00" + iin.encode()).digest()
    return int.from_bytes(digest[:2], "big") >> 6
