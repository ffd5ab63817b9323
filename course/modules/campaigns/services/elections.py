"""Recording elections, and the election days the offline verifier goes by (also signed
into the key list)."""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from course.core.db import db
from course.modules.campaigns.models import Election
from course.modules.certificates import services as certificates
from course.modules.security import services as security

# The kinds of election in Kazakhstan an observer may be sent to (and the referendum).
KINDS = ("kurultai", "presidential", "maslikhat", "akim", "referendum")


class ElectionExists(Exception):
    """An election of this kind is recorded on this day already."""


def elections() -> list[Election]:
    """Every recorded election, the newest day first."""
    return list(db.session.scalars(select(Election).order_by(Election.day.desc(), Election.id)))


def election(election_id: int) -> Election | None:
    return db.session.get(Election, election_id)


def record(kind: str, day: date, name_kk: str, name_ru: str, by: int | None) -> Election:
    if kind not in KINDS:
        raise ValueError(kind)
    election = Election(
        kind=kind, day=day, name_kk=name_kk.strip(), name_ru=name_ru.strip(), created_by_id=by
    )
    try:
        with db.session.begin_nested():
            db.session.add(election)
    except IntegrityError as e:
        raise ElectionExists(kind, day) from e
    security.record(
        "election_recorded", actor_id=by, subject=f"election:{election.id}", detail=f"{kind} {day}"
    )
    return election


def remove(election_id: int, by: int | None) -> bool:
    election = db.session.get(Election, election_id)
    if election is None:
        return False
    security.record(
        "election_removed",
        actor_id=by,
        subject=f"election:{election.id}",
        detail=f"{election.kind} {election.day}",
    )
    db.session.delete(election)
    return True


def election_days(configured: str = "") -> list[str]:
    """The days (YYYY-MM-DD) of every recorded election and of COURSE_ELECTION_DAYS
    (`configured`, checked when the app starts), sorted, each once."""
    days = {part.strip() for part in configured.split(",") if part.strip()}
    days.update(d.isoformat() for d in db.session.scalars(select(Election.day)))
    return sorted(days)


def configured_election_days() -> list[str]:
    """election_days() of this app: the recorded elections and COURSE_ELECTION_DAYS."""
    return election_days(str(current_app.config.get("COURSE_ELECTION_DAYS", "")))


def publish_election_days() -> bool:
    """Name the election days in the root-signed key list, for verifiers that are offline
    or not ours; False when the root key is kept off this server (see deploy.md)."""
    return certificates.publish_election_days(configured_election_days())


def unpublished_election_days() -> bool:
    """The key list does not name the election days as they are recorded now."""
    return tuple(configured_election_days()) != certificates.published_election_days()
