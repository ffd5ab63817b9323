"""An organisation applies; an admin approves (its applicant becomes its admin) or rejects
with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from course.core.db import db, utcnow
from course.modules.organisations.models import (
    APPROVED,
    PENDING,
    REJECTED,
    Organisation,
)
from course.modules.organisations.services.common import Refused, valid_bin
from course.modules.organisations.services.staff import add_member
from course.modules.security import services as security


@dataclass(frozen=True)
class Application:
    name_kk: str
    name_ru: str
    bin: str
    contact_name: str
    contact_email: str
    contact_phone: str
    charter_includes_observation: bool
    accreditation_number: str | None
    accreditation_valid_until: date | None


def apply(applicant_id: int, application: Application) -> Organisation:
    number = valid_bin(application.bin)
    if number is None:
        raise Refused("bin")
    organisation = Organisation(
        **{**application.__dict__, "bin": number},
        status=PENDING,
        applied_by_id=applicant_id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(organisation)
    except IntegrityError as e:
        raise Refused("bin_taken") from e
    return organisation


def pending() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).where(Organisation.status == PENDING)))


def approved() -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.status == APPROVED)
            .order_by(Organisation.name_ru)
        )
    )


def approve(organisation: Organisation, admin_id: int) -> None:
    if organisation.status != PENDING:
        raise Refused("decided")
    organisation.status = APPROVED
    organisation.decided_by_id, organisation.decided_at = admin_id, utcnow()
    security.record(
        "organisation_approved", actor_id=admin_id, subject=f"organisation:{organisation.id}"
    )
    add_member(organisation, organisation.applied_by_id, "admin")


def reject(organisation: Organisation, admin_id: int, reason: str) -> None:
    if organisation.status != PENDING:
        raise Refused("decided")
    if not reason.strip():
        raise Refused("reason")
    organisation.status = REJECTED
    organisation.decided_by_id, organisation.decided_at = admin_id, utcnow()
    security.record(
        "organisation_rejected", actor_id=admin_id, subject=f"organisation:{organisation.id}"
    )
    organisation.rejection_reason = reason.strip()[:500]
