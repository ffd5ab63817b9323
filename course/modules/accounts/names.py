"""Legal names as on an identity document: what is accepted and how it is stored."""

from __future__ import annotations

import unicodedata

from course.core.refusals import Refusal

MAX_NAME_LENGTH = 200
# Apostrophes and hyphens occur in Kazakh and Latin-script names (e.g. Қасым-Жомарт, O'Neil).
NAME_PUNCTUATION = frozenset(" -'’ʼ.")


class InvalidName(Refusal, ValueError):
    """`reason` is one of: empty, too_long, characters, too_short."""


def _letter_of_allowed_script(ch: str) -> bool:
    if not unicodedata.category(ch).startswith("L"):
        return False
    name = unicodedata.name(ch, "")
    return name.startswith(("LATIN ", "CYRILLIC "))


def normalize_name(raw: str) -> str:
    """NFC, single spaces, no leading or trailing space; raises InvalidName."""
    name = " ".join(unicodedata.normalize("NFC", raw or "").split())
    if not name:
        raise InvalidName("empty")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidName("too_long")
    if any(not (ch in NAME_PUNCTUATION or _letter_of_allowed_script(ch)) for ch in name):
        raise InvalidName("characters")
    if sum(1 for ch in name if ch.isalpha()) < 2:
        raise InvalidName("too_short")
    return name
