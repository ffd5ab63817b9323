"""Learners who name an organisation, its confirmation, and the roster of its observers
with course and certificate status."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from course.core.content import Course
from course.core.db import db, utcnow
from course.modules.accounts import services as accounts
from course.modules.certificates import services as certificates
from course.modules.learning import services as learning
from course.modules.organisations.models import (
    APPROVED,
    CONFIRMED,
    DECLINED,
    REQUESTED,
    ObserverLink,
    Organisation,
)
from course.modules.organisations.services.common import Refused, get


def link_of(user_id: int) -> ObserverLink | None:
    return db.session.scalar(
        select(ObserverLink).where(ObserverLink.user_id == user_id, ObserverLink.status != DECLINED)
    )


def request_link(user_id: int, organisation_id: int) -> ObserverLink:
    organisation = get(organisation_id)
    if organisation is None or organisation.status != APPROVED:
        raise Refused("organisation")
    if link_of(user_id) is not None:
        raise Refused("linked")
    link = ObserverLink(organisation_id=organisation_id, user_id=user_id, status=REQUESTED)
    try:
        with db.session.begin_nested():
            db.session.add(link)
    except IntegrityError as e:
        raise Refused("linked") from e
    return link


def withdraw_link(user_id: int) -> None:
    link = link_of(user_id)
    if link is not None:
        link.status, link.decided_at = DECLINED, utcnow()


def decide_link(organisation: Organisation, link_id: int, confirm: bool) -> ObserverLink:
    link = db.session.get(ObserverLink, link_id)
    # Another organisation's request is as good as no request at all.
    if link is None or link.organisation_id != organisation.id or link.status != REQUESTED:
        raise Refused("link")
    link.status = CONFIRMED if confirm else DECLINED
    link.decided_at = utcnow()
    return link


def requests(organisation: Organisation) -> list[tuple[ObserverLink, object]]:
    links = db.session.scalars(
        select(ObserverLink).where(
            ObserverLink.organisation_id == organisation.id, ObserverLink.status == REQUESTED
        )
    ).all()
    users = accounts.get_users([link.user_id for link in links])
    return [(link, users[link.user_id]) for link in links]


@dataclass(frozen=True)
class RosterRow:
    user_id: int
    name: str
    email: str
    lessons_read: int
    lessons_total: int
    course_status: str  # not_started, in_progress, completed
    certificate_code: str | None
    certificate_status: str  # none, valid, revoked, replaced, superseded


def roster(
    organisation: Organisation, course: Course, status: str | None = None
) -> list[RosterRow]:
    user_ids = list(
        db.session.scalars(
            select(ObserverLink.user_id).where(
                ObserverLink.organisation_id == organisation.id, ObserverLink.status == CONFIRMED
            )
        )
    )
    # One query each for the people, their lessons and their certificates, whatever the
    # number of observers (a roster of thousands must not make thousands of queries).
    users = accounts.get_users(user_ids)
    lessons_read = learning.lessons_read_by(user_ids, course)
    current = certificates.current_certificates(user_ids)
    basis = certificates.status_basis()
    lessons_total = len(course.lessons)
    rows = []
    for user_id in user_ids:
        user = users[user_id]
        certificate = current.get(user_id)
        if certificate is not None:
            public = certificates.status_of(certificate, certificate.code, course, basis=basis)
            cert_status = "superseded" if public.superseded else public.status
            course_status = "completed"
        else:
            cert_status = "none"
            course_status = "in_progress" if lessons_read[user_id] else "not_started"
        rows.append(
            RosterRow(
                user.id,
                user.full_name,
                user.email,
                lessons_read[user_id],
                lessons_total,
                course_status,
                certificate.code if certificate else None,
                cert_status,
            )
        )
    rows.sort(key=lambda r: r.name)
    if status:
        rows = [r for r in rows if status in (r.course_status, r.certificate_status)]
    return rows


def observer_of(organisation: Organisation, user_id: int, course: Course) -> RosterRow | None:
    return next((r for r in roster(organisation, course) if r.user_id == user_id), None)
