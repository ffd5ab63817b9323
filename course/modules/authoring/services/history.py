"""The revisions of a page, and restoring one (saved like any other edit)."""

from __future__ import annotations

from sqlalchemy import select

from course.core.db import db
from course.modules.authoring import units as u
from course.modules.authoring.models import NEUTRAL, Revision
from course.modules.authoring.services.common import RESTORE
from course.modules.authoring.services.saving import (
    Author,
    Edit,
    NeutralEdit,
    SaveResult,
    neutral_value,
    save,
)


def history(page: str, limit: int = 200) -> list[Revision]:
    return list(
        db.session.scalars(
            select(Revision)
            .where(Revision.page == page)
            .order_by(Revision.created_at.desc(), Revision.id.desc())
            .limit(limit)
        )
    )


def revision(revision_id: int) -> Revision | None:
    return db.session.get(Revision, revision_id)


def restore(d: u.Draft, author: Author, rev: Revision, base: str) -> SaveResult:
    """Put back the text this revision replaced, as a new revision (history is never cut)."""
    if rev.lang == NEUTRAL:
        return save(
            d, author, neutral=[NeutralEdit(rev.unit_key, rev.before, base)], source=RESTORE
        )
    return save(d, author, [Edit(rev.unit_key, rev.lang, rev.before, base)], source=RESTORE)


def current_fingerprint(d: u.Draft, key: str, lang: str) -> str:
    if lang == NEUTRAL:
        return u.fingerprint(neutral_value(d, key))
    unit = d.units.get(key)
    return u.fingerprint(unit.text.get(lang) if unit else None)
