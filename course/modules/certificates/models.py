"""Certificates, identity checks against them, and the audit log of what admins did.

Nothing here is ever deleted: a revoked or replaced certificate keeps its row, so its
code keeps answering "revoked" or "replaced by …".
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from course.core.db import UTCDateTime, db, utcnow

# Revoked or replaced: the certificates the status list marks.
MARKED_IN_STATUS_LIST = "revoked_at IS NOT NULL OR replaced_at IS NOT NULL"


class Certificate(db.Model):
    __tablename__ = "certificates"
    __table_args__ = (
        # One current certificate per learner and edition, even with simultaneous
        # completions or several app servers; a replaced one steps aside.
        Index(
            "uq_certificates_current",
            "user_id",
            "edition",
            unique=True,
            sqlite_where=text("replaced_at IS NULL"),
            postgresql_where=text("replaced_at IS NULL"),
        ),
        # The status list's rows (revoked or replaced: a few among a million), read
        # without scanning the table. The query's WHERE must be this same expression.
        Index(
            "ix_certificates_marked",
            "status_index",
            "replaced_at",
            sqlite_where=text(MARKED_IN_STATUS_LIST),
            postgresql_where=text(MARKED_IN_STATUS_LIST),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(13), unique=True)  # canonical, no dashes
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    completion_id: Mapped[int] = mapped_column(ForeignKey("course_completions.id"))
    edition: Mapped[int]
    status_as_of: Mapped[date] = mapped_column(Date)
    holder_name: Mapped[str] = mapped_column(String(200))  # NFC, as it was at issue
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    final_score: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A random place in the status list; unique, so two certificates never share one.
    status_index: Mapped[int] = mapped_column(unique=True)
    signing_kid: Mapped[str] = mapped_column(String(16))
    qr_text: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    # Holder's choices: a keyed hash of the IIN (never the digits) and the private mode.
    iin_hmac: Mapped[str | None] = mapped_column(String(64), default=None)
    iin_key_version: Mapped[int | None] = mapped_column(default=None)
    iin_tag: Mapped[int | None] = mapped_column(default=None)
    private_mode: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    revoked_reason: Mapped[str | None] = mapped_column(String(32), default=None)
    revoked_note: Mapped[str | None] = mapped_column(String(500), default=None)
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"), default=None)


class IdentityCheck(db.Model):
    """One IIN comparison against a certificate; misses count toward the locks, per
    requester and per certificate (see services.IDENTITY_LIMITS)."""

    __tablename__ = "certificate_identity_checks"
    __table_args__ = (Index("ix_certificate_identity_checks_requester", "requester", "checked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    matched: Mapped[bool]
    # Who asked: "address:<keyed hash of the IP>", "organisation:<id>", "token:<id>", or
    # "holder:<user id>" (the holder retyping their IIN to put its tag into the QR).
    requester: Mapped[str | None] = mapped_column(String(80), default=None)


class AuditEvent(db.Model):
    """Who did what to a certificate, and when."""

    __tablename__ = "certificate_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(String(1000), default=None)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
