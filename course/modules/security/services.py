"""Recording and reading security events.

`record` is the one exception to "services never read the request": the client's
address is part of the event, and passing it down through every use-case would put an
HTTP detail into each of them. Outside a request (the CLI) there is no address.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from course.core.db import db
from course.modules.security.models import SecurityEvent

KINDS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "session_expired",
    "password_reset_requested",
    "password_reset_used",
    "password_changed",
    "role_changed",
    "organisation_approved",
    "organisation_rejected",
    "token_created",
    "token_revoked",
    "edition_published",
    "certificate_revoked",
    "certificate_replaced",
    "key_rotated",
    "key_withdrawn",
    "identity_check_locked",
    "election_recorded",
    "accreditation_recorded",
    "organisation_document_uploaded",
    "assignments_imported",
    "election_removed",
    "refresher_reminders_sent",
)
PAGE_SIZE = 200


class NotAppendOnly(RuntimeError):
    """Something tried to change or delete a recorded security event."""


def record(
    kind: str,
    actor_id: int | None = None,
    subject: str | None = None,
    detail: str | None = None,
) -> SecurityEvent:
    """Add an event to the current transaction (it is kept only if the action is)."""
    if kind not in KINDS:
        raise ValueError(kind)
    address = request.remote_addr if has_request_context() else None
    entry = SecurityEvent(
        kind=kind,
        actor_id=actor_id,
        subject=subject[:300] if subject else None,
        address=address[:64] if address else None,
        detail=detail[:500] if detail else None,
    )
    db.session.add(entry)
    return entry


def record_now(kind: str, **fields) -> None:
    """Record and commit at once, for events whose request then fails (a wrong password
    answers 401; its transaction would otherwise be rolled back with the page)."""
    record(kind, **fields)
    db.session.commit()


def guard_append_only() -> None:
    if getattr(guard_append_only, "done", False):
        return

    @event.listens_for(Session, "before_flush")
    def _refuse_changes(session: Session, flush_context, instances) -> None:
        for obj in (*session.dirty, *session.deleted):
            if isinstance(obj, SecurityEvent) and (
                obj in session.deleted or session.is_modified(obj)
            ):
                raise NotAppendOnly("security events are never changed or deleted")

    guard_append_only.done = True


@dataclass(frozen=True)
class Filter:
    kind: str | None = None
    actor_id: int | None = None
    subject: str | None = None
    since: date | None = None
    until: date | None = None


def _day_start(day: date) -> datetime:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time.min, zone)


def _query(wanted: Filter):
    query = select(SecurityEvent).order_by(SecurityEvent.at.desc(), SecurityEvent.id.desc())
    if wanted.kind:
        query = query.where(SecurityEvent.kind == wanted.kind)
    if wanted.actor_id is not None:
        query = query.where(SecurityEvent.actor_id == wanted.actor_id)
    if wanted.subject:
        query = query.where(SecurityEvent.subject == wanted.subject)
    # Days are Kazakhstan's calendar days, as shown on the page.
    if wanted.since:
        query = query.where(SecurityEvent.at >= _day_start(wanted.since))
    if wanted.until:
        query = query.where(SecurityEvent.at < _day_start(wanted.until + timedelta(days=1)))
    return query


def events(wanted: Filter, limit: int = PAGE_SIZE) -> list[SecurityEvent]:
    return list(db.session.scalars(_query(wanted).limit(limit)))


def all_events(wanted: Filter) -> Iterator[SecurityEvent]:
    """Every matching event, newest first, read in batches (for the CSV export)."""
    yield from db.session.scalars(_query(wanted).execution_options(yield_per=1000))
