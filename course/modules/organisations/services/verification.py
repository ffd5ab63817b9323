"""Verifying certificates for an organisation, in bulk or through the API, logged per item."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select

from course.core import spreadsheets
from course.core.content import Course
from course.core.db import db, utcnow
from course.modules.certificates import services as certificates
from course.modules.organisations.models import (
    Organisation,
    VerificationLog,
)

MAX_BULK_ROWS = 10_000


MAX_API_ITEMS = 1_000


@dataclass(frozen=True)
class ItemResult:
    row: int
    typed: str
    code: str | None
    status: str  # valid, revoked, replaced, superseded, unknown, or an error: code_format…
    holder: str | None = None
    edition: int | None = None
    completed_on: str | None = None
    identity: str | None = None  # match, no_match, locked, or None when no IIN was given

    def as_json(self) -> dict:
        return {
            "index": self.row,
            "code": self.code and certificates.display_code(self.code),
            "status": self.status,
            "holder": self.holder,
            "edition": self.edition,
            "completed_on": self.completed_on,
            "identity": self.identity,
        }


def verify_items(
    organisation: Organisation,
    items: list[tuple[int, str, str | None]],
    course: Course,
    channel: str,
    user_id: int | None = None,
    token_id: int | None = None,
) -> list[ItemResult]:
    """Each (row number, typed code, typed IIN or None), checked and logged, in order."""
    now = utcnow()
    parsed: list[tuple[int, str, str | None, str | None, str | None]] = []
    for row, typed, typed_iin in items:
        try:
            code = certificates.normalize_code(typed)
        except certificates.CodeError as e:
            parsed.append((row, typed, None, None, f"code_{e.reason}"))
            continue
        number = None
        if typed_iin:
            try:
                number = certificates.normalize_iin(typed_iin)
            except certificates.IINError as e:
                parsed.append((row, typed, code, None, f"iin_{e.reason}"))
                continue
        parsed.append((row, typed, code, number, None))
    found = certificates.find_many([p[2] for p in parsed if p[2] and not p[4]])
    # Counted as this organisation (or this token), never together with anonymous traffic.
    requester = (
        certificates.token_requester(token_id)
        if token_id is not None
        else certificates.organisation_requester(organisation.id)
    )
    # The identity checks all at once, in row order (as if one after the other): a fixed
    # number of queries for the whole batch, not a few per row.
    wanted = [
        (i, found[code], number)
        for i, (_row, _typed, code, number, error) in enumerate(parsed)
        if not error and number and code in found
    ]
    checked = certificates.check_identities([(c, n) for _i, c, n in wanted], requester)
    identities = {}
    for (i, _certificate, _number), result in zip(wanted, checked, strict=True):
        if isinstance(result, certificates.IdentityLocked):
            identities[i] = "locked"
        else:
            identities[i] = "match" if result else "no_match"
    basis = certificates.status_basis()
    results = []
    for i, (row, typed, code, _number, error) in enumerate(parsed):
        if error:
            results.append(ItemResult(row, typed, code, error))
            continue
        certificate = found.get(code)
        identity = identities.get(i)
        public = certificates.status_of(
            certificate, code, course, show_name=identity == "match", basis=basis
        )
        status = "superseded" if public.superseded else public.status
        completed = public.as_json()["completed_on"] if certificate else None
        results.append(
            ItemResult(row, typed, code, status, public.holder, public.edition, completed, identity)
        )
    if results:
        # One statement for the whole log (no ORM objects: nothing reads them back).
        # render_nulls: every row has the same columns, so all go in one executemany.
        db.session.execute(
            insert(VerificationLog).execution_options(render_nulls=True),
            [
                {
                    "organisation_id": organisation.id,
                    "user_id": user_id,
                    "token_id": token_id,
                    "channel": channel,
                    "code": r.code or _printable(r.typed),
                    "result": r.status,
                    "identity": r.identity,
                    "at": now,
                }
                for r in results
            ],
        )
    return results


def _printable(typed: str) -> str:
    """What was typed, fit for a log: no control characters (PostgreSQL refuses NUL)."""
    return "".join(ch for ch in typed if ch.isprintable())[:40]


def parse_bulk(text: str) -> tuple[list[tuple[int, str, str | None]], list[int]]:
    """Rows of `code[,iin]` (comma, semicolon or tab); a header row is skipped.

    Returns the items and the numbers of rows that could not be read at all (too many
    fields); rows with bad codes are still returned, to be reported by row number.
    """
    items, unreadable = [], []
    for number, fields in spreadsheets.read_rows(text):
        if number == 1 and fields[0].lower() in ("code", "код", "коды", "certificate"):
            continue
        if len(fields) > 2:
            unreadable.append(number)
            continue
        items.append((number, fields[0], fields[1] if len(fields) > 1 and fields[1] else None))
    return items, unreadable


def log(organisation: Organisation | None, limit: int = 500) -> list[VerificationLog]:
    query = select(VerificationLog).order_by(VerificationLog.at.desc(), VerificationLog.id.desc())
    if organisation is not None:
        query = query.where(VerificationLog.organisation_id == organisation.id)
    return list(db.session.scalars(query.limit(limit)))
