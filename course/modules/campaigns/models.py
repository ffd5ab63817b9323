"""An election, as an admin records it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from course.core.db import UTCDateTime, db, utcnow


class Election(db.Model):
    __tablename__ = "elections"
    __table_args__ = (UniqueConstraint("kind", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # services.KINDS
    day: Mapped[date] = mapped_column(Date, index=True)  # voting day, Kazakhstan's date
    name_kk: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )

    def name(self, lang: str) -> str:
        return self.name_kk if lang == "kk" else self.name_ru
