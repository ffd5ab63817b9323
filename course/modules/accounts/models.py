"""The user account."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from course.core.db import UTCDateTime, db, utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('learner', 'trainer', 'admin', 'verifier')", name="role"),
        CheckConstraint("locale IN ('kk', 'ru')", name="locale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique index is case-insensitive on every backend.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # The legal name as on the identity document; it goes on the certificate.
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Part of the session id: changing it signs out every session of this user.
    session_token: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(20), default="learner")
    locale: Mapped[str] = mapped_column(String(2), default="kk")
    consent_version: Mapped[str] = mapped_column(String(20))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set once a certificate carries the name; from then on only an admin may change it.
    name_locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"


class PendingRegistration(db.Model):
    """A registration waiting for its e-mail address to be confirmed.

    No account exists until the owner of the address opens the link, so neither the
    registration form nor the sign-in form can tell a stranger whether an address has
    an account. Only a hash of the link's secret is kept.
    """

    __tablename__ = "pending_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(2))
    consent_version: Mapped[str] = mapped_column(String(20))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PasswordResetToken(db.Model):
    """A one-time password-reset link: a random secret of which only the hash is kept."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
