"""W3C Bitstring Status List: one revocation bit per certificate, gzip, base64url. No Flask.

Indexes are assigned at random (the spec's advice), so a list leaks nothing about when a
certificate was issued. The spec's minimum is 131,072 entries (herd privacy); ours has
2,097,152, room for a million certificates with the list still half empty, so a random
draw finds a free place at once. Mostly zeros, it stays a few kilobytes once compressed
(tests/offline/test_views.py). A list never shrinks: an index once given stays inside it.
"""

from __future__ import annotations

import base64
import gzip

LIST_SIZE = 2_097_152  # 2**21


def encode(revoked: set[int] | list[int], size: int = LIST_SIZE) -> str:
    bits = bytearray(size // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)  # index 0 is the left-most bit
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("not multibase base64url")
    data = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise IndexError(index)
    return bool(bits[index // 8] & (0x80 >> (index % 8)))
