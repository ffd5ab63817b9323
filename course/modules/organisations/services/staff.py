"""The organisation's staff: members, invitations by e-mail, removal."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from course.core.db import db, utcnow
from course.modules.accounts import services as accounts
from course.modules.organisations.models import (
    APPROVED,
    Invitation,
    Membership,
    Organisation,
)
from course.modules.organisations.services.common import Refused, get, secret_hash

INVITATION_VALID = timedelta(days=7)


def add_member(organisation: Organisation, user_id: int, role: str) -> None:
    existing = db.session.scalar(
        select(Membership).where(
            Membership.organisation_id == organisation.id, Membership.user_id == user_id
        )
    )
    if existing is None:
        db.session.add(Membership(organisation_id=organisation.id, user_id=user_id, role=role))
    user = accounts.get_user(user_id)
    if user.role == "learner":
        accounts.set_role(user, "verifier")
    db.session.flush()


def membership_of(user_id: int) -> tuple[Organisation, Membership] | None:
    """The approved organisation this user works for, with their role there."""
    row = db.session.execute(
        select(Organisation, Membership)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user_id, Organisation.status == APPROVED)
    ).first()
    return (row[0], row[1]) if row else None


def staff(organisation: Organisation) -> list[tuple[Membership, object]]:
    members = db.session.scalars(
        select(Membership).where(Membership.organisation_id == organisation.id)
    ).all()
    users = accounts.get_users([m.user_id for m in members])
    return [(m, users[m.user_id]) for m in members]


def invite(organisation: Organisation, email: str, invited_by: int) -> str:
    """A one-time invitation token for a verifier; the caller e-mails the link."""
    secret = secrets.token_urlsafe(24)
    db.session.add(
        Invitation(
            organisation_id=organisation.id,
            email=accounts.normalize_email(email),
            token_hash=secret_hash(secret),
            invited_by_id=invited_by,
        )
    )
    db.session.flush()
    return secret


def accept_invitation(secret: str, user_id: int) -> Organisation:
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == secret_hash(secret))
    )
    if (
        invitation is None
        or invitation.accepted_at is not None
        or utcnow() - invitation.created_at > INVITATION_VALID
    ):
        raise Refused("invitation")
    user = accounts.get_user(user_id)
    if user.email != invitation.email:
        raise Refused("invitation_email")
    organisation = get(invitation.organisation_id)
    invitation.accepted_at = utcnow()
    add_member(organisation, user_id, "verifier")
    return organisation


def remove_member(organisation: Organisation, user_id: int, acting_user_id: int) -> None:
    if user_id == acting_user_id:
        raise Refused("self")
    member = db.session.scalar(
        select(Membership).where(
            Membership.organisation_id == organisation.id, Membership.user_id == user_id
        )
    )
    if member is None:
        raise Refused("not_member")
    db.session.delete(member)
    db.session.flush()
