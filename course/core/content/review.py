"""When a module is due for review: its trainers' last review is older than the allowed
age, or a change in the law the trainers recorded came after the module's law date or
after its last review. Learners see a notice on such a module; the course editor's
overview and `course content check` list it. No Flask: "today" and the age are given."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from course.core.content.model import Course, LegalChange, Module

DEFAULT_MAX_MONTHS = 6


def months_after(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it has fewer days)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@dataclass(frozen=True)
class ReviewState:
    module: Module
    review_overdue: bool  # not reviewed, or reviewed longer ago than the allowed age
    changes: tuple[LegalChange, ...]  # recorded changes the module has not caught up with

    @property
    def due(self) -> bool:
        return self.review_overdue or bool(self.changes)

    @property
    def parts(self) -> tuple:
        """What a page showing the notice depends on (for its cache key and ETag)."""
        return (self.review_overdue, tuple(c.id for c in self.changes))


def review_state(course: Course, module: Module, today: date, max_months: int) -> ReviewState:
    reviewed = module.reviewed
    overdue = reviewed is None or months_after(reviewed, max_months) < today
    # A change counts once it is in force, and until the module's law date or its last
    # review has passed it: a review that left the law date before the change has not
    # caught up with it (the text still describes the law before).
    changes = tuple(
        c
        for c in course.legal_changes
        if c.date <= today
        and (c.date > module.status_as_of or reviewed is None or c.date > reviewed)
    )
    return ReviewState(module, overdue, changes)


def modules_due(course: Course, today: date, max_months: int) -> list[ReviewState]:
    """The modules due for review, in course order."""
    found = (review_state(course, m, today, max_months) for m in course.modules)
    return [state for state in found if state.due]
