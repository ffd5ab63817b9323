"""Publishing the draft as the next edition, refused while content problems or translation
gaps remain."""

from __future__ import annotations

from datetime import date

from course.core.content import Problem, check_content
from course.core.content.published import editions
from course.core.content.records import EditionRecord, PublishRefused
from course.core.db import utcnow
from course.modules.authoring import units as u
from course.modules.authoring.services.alignment import Gap, translation_gaps
from course.modules.authoring.services.common import REVIEW
from course.modules.authoring.services.overview import changed_modules
from course.modules.authoring.services.saving import Author, NeutralEdit, neutral_value, save
from course.modules.authoring.signals import edition_published
from course.modules.security import services as security


def review_dates_needed(d: u.Draft) -> tuple[list[u.DraftModule], list[u.DraftModule]]:
    """The modules whose review date a publish asks for, and those it offers to record one
    for: a module whose files or law date changed since the published edition (or that it
    lacks) needs one; an unchanged module may have been reviewed too."""
    course = editions().current()
    changed = set(changed_modules(d))
    needed, offered = [], []
    for m in d.modules:
        published = course.module(m.id)
        if m.id in changed or published is None or published.status_as_of != m.status_as_of:
            needed.append(m)
        else:
            offered.append(m)
    return needed, offered


def record_reviews(d: u.Draft, author: Author, reviews: dict[str, date]) -> None:
    edits = []
    for module_id, day in reviews.items():
        key = f"module:{module_id}:reviewed"
        current = neutral_value(d, key)
        edits.append(NeutralEdit(key, day.isoformat(), u.fingerprint(current)))
    if edits:
        save(d, author, neutral=edits, source=REVIEW)


class PublishBlocked(Exception):
    def __init__(self, problems: list[Problem], gaps: list[Gap]):
        self.problems, self.gaps = problems, gaps
        super().__init__(f"{len(problems)} problems, {len(gaps)} translation gaps")


def publish_checks(d: u.Draft) -> tuple[list[Problem], list[Gap]]:
    return check_content(d.root), translation_gaps(d)


def publish(
    d: u.Draft,
    author: Author,
    law_in_force_on: date,
    note: str,
    supersedes_earlier: bool,
    today: date,
    reviews: dict[str, date] | None = None,
):
    """Make the draft the next edition; PublishBlocked says why not. `reviews`: the date
    each module named was last reviewed, written into the draft (with a revision each)
    and so into the edition."""
    problems, gaps = publish_checks(d)
    if problems or gaps:
        raise PublishBlocked(problems, gaps)
    record_reviews(d, author, reviews or {})
    record = EditionRecord(
        number=editions().next_number(),
        published_on=today,
        published_at=utcnow().isoformat(timespec="seconds"),
        published_by=author.name,
        published_by_id=author.id,
        law_in_force_on=law_in_force_on,
        review_note=note.strip(),
        supersedes_earlier=supersedes_earlier,
        changed_modules=tuple(changed_modules(d)),
    )
    # Recorded first: publishing commits, and the event is kept with the edition (a
    # refused publish rolls both back).
    security.record(
        "edition_published",
        actor_id=author.id,
        subject=f"edition:{record.number}",
        detail=f"law in force on {law_in_force_on.isoformat()}",
    )
    try:
        course = editions().publish(record)
    except PublishRefused as e:  # the files changed between the checks and the freeze
        raise PublishBlocked(e.problems, []) from e
    edition_published.send(author.id, record=record, course=course)
    return course
