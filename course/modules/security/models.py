"""One security event: what happened, to what, by whom, from where."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from course.core.db import UTCDateTime, db, utcnow


class SecurityEvent(db.Model):
    __tablename__ = "security_events"
    __table_args__ = (Index("ix_security_events_kind_at", "kind", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(40))
    # The person who acted, when known (a failed sign-in has none).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    # What it was done to: "user:12", "organisation:3", "certificate:ABCD…", "key:…".
    subject: Mapped[str | None] = mapped_column(String(300), default=None)
    # The client's address as the app saw it (after TRUSTED_PROXIES).
    address: Mapped[str | None] = mapped_column(String(64), default=None)
    detail: Mapped[str | None] = mapped_column(String(500), default=None)
