"""Organisations that send observers: their staff, their observers, API tokens, and the
log of every verification they make."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from course.core.db import UTCDateTime, db, utcnow

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
REQUESTED, CONFIRMED, DECLINED = "requested", "confirmed", "declined"


class Organisation(db.Model):
    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    bin: Mapped[str] = mapped_column(String(12), unique=True)  # business identification number
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str] = mapped_column(String(40))
    charter_includes_observation: Mapped[bool] = mapped_column(Boolean)
    accreditation_number: Mapped[str | None] = mapped_column(String(60), default=None)
    accreditation_valid_until: Mapped[date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    applied_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    rejection_reason: Mapped[str | None] = mapped_column(String(500), default=None)

    def name(self, lang: str) -> str:
        return self.name_kk if lang == "kk" else self.name_ru


class Membership(db.Model):
    """A staff account of an organisation: its admin, or a verifier."""

    __tablename__ = "organisation_members"
    __table_args__ = (
        UniqueConstraint("organisation_id", "user_id"),
        CheckConstraint("role IN ('admin', 'verifier')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Invitation(db.Model):
    __tablename__ = "organisation_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class ObserverLink(db.Model):
    """A learner names the organisation that will send them; it confirms or declines."""

    __tablename__ = "organisation_observers"
    __table_args__ = (
        CheckConstraint("status IN ('requested', 'confirmed', 'declined')", name="status"),
        # One live link per learner.
        Index(
            "uq_organisation_observers_live",
            "user_id",
            unique=True,
            sqlite_where=text("status != 'declined'"),
            postgresql_where=text("status != 'declined'"),
        ),
        # The roster (confirmed) and the requests (requested) of one organisation.
        Index("ix_organisation_observers_roster", "organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=REQUESTED)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class ApiToken(db.Model):
    """Shown once when made; only its SHA-256 is kept. Scope: certificate verification."""

    __tablename__ = "organisation_api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(20), default="verify")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class VerificationLog(db.Model):
    __tablename__ = "organisation_verifications"
    # One organisation's log, newest first (its log page).
    __table_args__ = (Index("ix_organisation_verifications_log", "organisation_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    token_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation_api_tokens.id"), default=None
    )
    channel: Mapped[str] = mapped_column(String(10))  # web, bulk, api
    code: Mapped[str] = mapped_column(String(40))
    result: Mapped[str] = mapped_column(String(20))
    identity: Mapped[str | None] = mapped_column(String(10), default=None)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
