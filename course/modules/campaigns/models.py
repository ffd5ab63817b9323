"""An election, as an admin records it; an organisation's accreditation for it; the papers
an organisation uploads once for its observers' packets."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

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


class Accreditation(db.Model):
    """An organisation's accreditation for one election (required since 2023 for each
    campaign): the decision's number, date and commission, and a scan of it."""

    __tablename__ = "accreditations"
    __table_args__ = (UniqueConstraint("organisation_id", "election_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(60))
    decided_on: Mapped[date] = mapped_column(Date)
    commission: Mapped[str] = mapped_column(String(300))
    scan: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    scan_sha256: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )


class OrganisationDocument(db.Model):
    """A paper every observer's packet carries, uploaded once: the Charter extract or the
    document on the head's powers. A new upload of a kind replaces the old one."""

    __tablename__ = "organisation_documents"
    __table_args__ = (UniqueConstraint("organisation_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # services.DOCUMENT_KINDS
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    pages: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )


class Assignment(db.Model):
    """An organisation's observer assigned to a polling station for one election."""

    __tablename__ = "assignments"
    # One station per observer and election: a second assignment moves them.
    __table_args__ = (UniqueConstraint("election_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    station: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(300))
    coordinator: Mapped[str] = mapped_column(String(200), default="")
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
