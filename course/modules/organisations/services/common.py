"""What every organisation use-case shares: the refusal (with a reason for a message in the
page's language), the BIN check, the hash under which secrets are kept."""

from __future__ import annotations

import hashlib

from course.core.db import db
from course.core.identifiers import is_valid, twelve_digits
from course.core.refusals import Refusal
from course.modules.organisations.models import Organisation


class Refused(Refusal):
    """The action is not allowed; `reason` names why (for a message in the page's language)."""


def valid_bin(typed: str) -> str | None:
    number = twelve_digits(typed)
    return number if number and is_valid(number) else None


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def get(organisation_id: int) -> Organisation | None:
    return db.session.get(Organisation, organisation_id)
