"""Published editions in the database: the `published_editions` table, one row per
edition with its record and its files (see editions.py for how workers use it).

Why one archive per edition, not a row per file: an edition is written once and always
read whole (the loader needs the whole tree), so one row makes publishing atomic by
construction (the record and every file in one INSERT, under the unique edition number),
a worker fetches an edition in one query, and the archive's SHA-256 names the worker's
cache folder. Editions are small (the real course is about 1 MB before compression); a
row per file would only save the space of unchanged media between editions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import has_app_context
from sqlalchemy import JSON, Date, LargeBinary, String, Text, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from course.core.content.records import (
    EditionExists,
    EditionRecord,
    StoredEdition,
    StoreUnavailable,
)
from course.core.db import UTCDateTime, db, utcnow


class PublishedEdition(db.Model):
    """One published edition: who published it, when, what the legal review said, and an
    archive of its content folder. Never changed once written."""

    __tablename__ = "published_editions"

    # The edition number is the key: two publishers of the same number cannot both win.
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    published_on: Mapped[date] = mapped_column(Date)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    published_by: Mapped[str | None] = mapped_column(String(200), default=None)
    # The publisher's account, as a plain number like the name beside it: the record says
    # who it was then, and an edition imported from an older instance may name an
    # account this database does not have.
    published_by_id: Mapped[int | None] = mapped_column(default=None)
    law_in_force_on: Mapped[date | None] = mapped_column(Date, default=None)
    review_note: Mapped[str] = mapped_column(Text, default="")
    supersedes_earlier: Mapped[bool] = mapped_column(default=False)
    changed_modules: Mapped[list[str]] = mapped_column(JSON, default=list)
    frozen_from_files: Mapped[bool] = mapped_column(default=False)
    # A .tar.gz of the content folder (course/core/content/archive.py) and its SHA-256.
    archive: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    archive_sha256: Mapped[str] = mapped_column(String(64))
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


_RECORD_COLUMNS = (
    PublishedEdition.number,
    PublishedEdition.published_on,
    PublishedEdition.published_at,
    PublishedEdition.published_by,
    PublishedEdition.published_by_id,
    PublishedEdition.law_in_force_on,
    PublishedEdition.review_note,
    PublishedEdition.supersedes_earlier,
    PublishedEdition.changed_modules,
    PublishedEdition.frozen_from_files,
    PublishedEdition.archive_sha256,
)


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class DatabaseStore:
    """The editions' store for one app's database (used inside its app context).

    Reads use a connection of their own, not the request's session: workers check for new
    editions from inside any request, and when the database is away they go on with what
    they knew; a failed read in the session would leave the request's transaction broken
    (on PostgreSQL its next query then fails with "rollback first", a 500 instead of the
    503 it should be). Adding commits the session (see Editions: freezing and publishing
    are their own transaction)."""

    def __init__(self) -> None:
        self._table_seen = False

    def _ready(self) -> bool:
        # Before `course db upgrade` has made the table (course serve builds the app
        # first), there is nothing to read; asked again until it is there.
        if not self._table_seen:
            self._table_seen = inspect(db.engine).has_table(PublishedEdition.__tablename__)
        return self._table_seen

    def stamp(self) -> tuple | None:
        if not has_app_context():
            raise StoreUnavailable  # a script holding the app outside a context
        if not self._ready():
            return None
        # Rows are only ever added; the last time one was stored also tells a database
        # restored and published again under the same numbers.
        query = select(
            func.count(), func.max(PublishedEdition.number), func.max(PublishedEdition.stored_at)
        )
        with db.engine.connect() as connection:
            return tuple(connection.execute(query).one())

    def records(self) -> list[StoredEdition]:
        if not self._ready():
            return []
        with db.engine.connect() as connection:
            rows = connection.execute(
                select(*_RECORD_COLUMNS).order_by(PublishedEdition.number)
            ).all()
        return [
            StoredEdition(
                EditionRecord(
                    number=row.number,
                    published_on=row.published_on,
                    published_at=(
                        row.published_at.isoformat(timespec="seconds") if row.published_at else None
                    ),
                    published_by=row.published_by,
                    published_by_id=row.published_by_id,
                    law_in_force_on=row.law_in_force_on,
                    review_note=row.review_note,
                    supersedes_earlier=row.supersedes_earlier,
                    changed_modules=tuple(row.changed_modules or ()),
                    frozen_from_files=row.frozen_from_files,
                ),
                row.archive_sha256,
            )
            for row in rows
        ]

    def archive(self, number: int) -> bytes:
        with db.engine.connect() as connection:
            return connection.scalar(
                select(PublishedEdition.archive).where(PublishedEdition.number == number)
            )

    def add(self, record: EditionRecord, archive: bytes, sha256: str) -> None:
        row = PublishedEdition(
            number=record.number,
            published_on=record.published_on,
            published_at=_moment(record.published_at),
            published_by=record.published_by,
            published_by_id=record.published_by_id,
            law_in_force_on=record.law_in_force_on,
            review_note=record.review_note,
            supersedes_earlier=record.supersedes_earlier,
            changed_modules=list(record.changed_modules),
            frozen_from_files=record.frozen_from_files,
            archive=archive,
            archive_sha256=sha256,
        )
        db.session.flush()  # the caller's own changes fail as themselves, not as ours
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError as e:
            raise EditionExists(record.number) from e
        db.session.commit()
