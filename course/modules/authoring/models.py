"""The edit history of the draft, and how each language's text stands to the other's.

Both tables are keyed by unit keys (see units.py), built from content ids, so they
survive a re-ordering of questions or lessons.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from course.core.db import UTCDateTime, db, utcnow

NEUTRAL = "--"  # the "language" of a language-neutral change: a question's key, a date


class Revision(db.Model):
    """One unit changed: who, when, from what to what. The history a trainer restores from."""

    __tablename__ = "content_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # The name as it was then, or the tool ("course content import"): kept if the
    # account goes.
    author_name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(16))  # edit, restore, import, image
    page: Mapped[str] = mapped_column(String(200), index=True)
    unit_key: Mapped[str] = mapped_column(String(300))
    lang: Mapped[str] = mapped_column(String(2))
    before: Mapped[str | None] = mapped_column(Text, default=None)
    after: Mapped[str | None] = mapped_column(Text, default=None)


class Alignment(db.Model):
    """This language's text was last made to match that version of the other language's."""

    __tablename__ = "translation_alignments"

    unit_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    lang: Mapped[str] = mapped_column(String(2), primary_key=True)
    own: Mapped[str] = mapped_column(String(16))  # fingerprint of this text then
    counterpart: Mapped[str] = mapped_column(String(16))  # fingerprint of the other text then
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class EditingServer(db.Model):
    """The one app server whose `content/` folder is the draft. The draft and its lock
    file are files on that server, so the editor works there only; another server's
    editor refuses (409) and names this one. One row, taken at the editor's first use;
    `course content editor --release` frees it to move the editor."""

    __tablename__ = "editing_server"

    scope: Mapped[str] = mapped_column(String(20), primary_key=True)  # always "course"
    host: Mapped[str] = mapped_column(String(255))
    instance_path: Mapped[str] = mapped_column(String(1000))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    taken_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
