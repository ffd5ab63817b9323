"""What a refresher keeps: the lessons a holder read again for it, and the messages that
told a holder one is due (the mail on a superseding edition, an organisation's reminder)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from course.core.db import UTCDateTime, db, utcnow

EDITION_MAIL, REMINDER = "edition", "reminder"


class RefresherReading(db.Model):
    """A changed lesson read again for the refresher of this edition (the lesson pages'
    "read" from the first time through the course does not count)."""

    __tablename__ = "refresher_readings"
    __table_args__ = (UniqueConstraint("user_id", "edition", "module_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    edition: Mapped[int]
    module_id: Mapped[str] = mapped_column(String(64))
    lesson_id: Mapped[str] = mapped_column(String(64))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RefresherNotice(db.Model):
    """A holder was told a refresher is due: by the platform when an edition superseded
    their certificate, or by an organisation reminding its observer."""

    __tablename__ = "refresher_notices"
    __table_args__ = (
        CheckConstraint("kind IN ('edition', 'reminder')", name="kind"),
        Index("ix_refresher_notices_user_edition", "user_id", "edition", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    edition: Mapped[int]  # the edition the refresher leads to
    kind: Mapped[str] = mapped_column(String(10))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), default=None
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
