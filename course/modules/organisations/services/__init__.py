"""Organisation use-cases, one file per use: applications, staff, observers, verification,
tokens (and common for what they share).

Services take plain values, flush but never commit, and never read the request.
"""

from course.modules.organisations.services.applications import (
    Application,
    apply,
    approve,
    approved,
    pending,
    reject,
)
from course.modules.organisations.services.common import (
    Refused,
    get,
    secret_hash,
    valid_bin,
)
from course.modules.organisations.services.observers import (
    RosterRow,
    decide_link,
    link_of,
    observer_of,
    request_link,
    requests,
    roster,
    withdraw_link,
)
from course.modules.organisations.services.staff import (
    INVITATION_VALID,
    accept_invitation,
    add_member,
    invite,
    membership_of,
    remove_member,
    staff,
)
from course.modules.organisations.services.tokens import (
    TOKEN_PREFIX,
    create_token,
    revoke_token,
    token_key,
    token_owner,
    tokens,
)
from course.modules.organisations.services.verification import (
    MAX_API_ITEMS,
    MAX_BULK_ROWS,
    ItemResult,
    log,
    parse_bulk,
    verify_items,
)

__all__ = [
    "INVITATION_VALID",
    "MAX_API_ITEMS",
    "MAX_BULK_ROWS",
    "TOKEN_PREFIX",
    "Application",
    "ItemResult",
    "Refused",
    "RosterRow",
    "accept_invitation",
    "add_member",
    "apply",
    "approve",
    "approved",
    "create_token",
    "decide_link",
    "get",
    "invite",
    "link_of",
    "log",
    "membership_of",
    "observer_of",
    "parse_bulk",
    "pending",
    "reject",
    "remove_member",
    "request_link",
    "requests",
    "revoke_token",
    "roster",
    "secret_hash",
    "staff",
    "token_key",
    "token_owner",
    "tokens",
    "valid_bin",
    "verify_items",
    "withdraw_link",
]
