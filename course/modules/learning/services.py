"""Progress use-cases: record a lesson view, mark a lesson read, summarise a learner's course."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from course.core.content import Course, Lesson, Module
from course.core.db import db, utcnow
from course.modules.learning.models import LessonProgress

NOT_STARTED, IN_PROGRESS, LESSONS_READ = "not_started", "in_progress", "lessons_read"


@dataclass(frozen=True)
class ModuleProgress:
    module: Module
    lessons_read: int
    state: str  # NOT_STARTED, IN_PROGRESS or LESSONS_READ

    @property
    def lessons_total(self) -> int:
        return len(self.module.lessons)


@dataclass(frozen=True)
class CourseProgress:
    modules: tuple[ModuleProgress, ...]
    read: frozenset[tuple[str, str]]
    continue_at: Lesson | None  # where "continue" leads; None before the first visit
    lessons_read: int
    lessons_total: int

    def is_read(self, lesson: Lesson) -> bool:
        return (lesson.module_id, lesson.id) in self.read


def _row(user_id: int, module_id: str, lesson_id: str) -> LessonProgress | None:
    return db.session.scalar(
        select(LessonProgress).where(
            LessonProgress.user_id == user_id,
            LessonProgress.module_id == module_id,
            LessonProgress.lesson_id == lesson_id,
        )
    )


def _touch(user_id: int, lesson: Lesson, now: datetime) -> LessonProgress:
    row = _row(user_id, lesson.module_id, lesson.id)
    if row is not None:
        row.last_viewed_at = now
        return row
    row = LessonProgress(
        user_id=user_id,
        module_id=lesson.module_id,
        lesson_id=lesson.id,
        first_viewed_at=now,
        last_viewed_at=now,
    )
    try:
        # Two tabs opening the same lesson at once: the second insert loses, then updates.
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        row = _row(user_id, lesson.module_id, lesson.id)
        row.last_viewed_at = now
    return row


def record_view(user_id: int, lesson: Lesson) -> None:
    _touch(user_id, lesson, utcnow())


def mark_read(user_id: int, lesson: Lesson) -> None:
    now = utcnow()
    row = _touch(user_id, lesson, now)
    if row.completed_at is None:
        row.completed_at = now


def progress(user_id: int, course: Course) -> CourseProgress:
    rows = db.session.scalars(select(LessonProgress).where(LessonProgress.user_id == user_id)).all()
    read = frozenset((r.module_id, r.lesson_id) for r in rows if r.completed_at is not None)
    modules = []
    for module in course.modules:
        count = sum(1 for lesson in module.lessons if (module.id, lesson.id) in read)
        viewed = any(r.module_id == module.id for r in rows)
        if count == len(module.lessons):
            state = LESSONS_READ
        elif count or viewed:
            state = IN_PROGRESS
        else:
            state = NOT_STARTED
        modules.append(ModuleProgress(module, count, state))
    return CourseProgress(
        modules=tuple(modules),
        read=read,
        continue_at=_continue_at(course, rows, read),
        lessons_read=sum(1 for lesson in course.lessons if (lesson.module_id, lesson.id) in read),
        lessons_total=len(course.lessons),
    )


def _continue_at(course: Course, rows, read: frozenset) -> Lesson | None:
    """The last lesson opened if it is unread, else the next unread lesson after it."""
    known = [r for r in rows if course.lesson(r.module_id, r.lesson_id) is not None]
    if not known:
        return None
    last = max(known, key=lambda r: r.last_viewed_at)
    order = course.lessons
    start = next(
        i for i, x in enumerate(order) if (x.module_id, x.id) == (last.module_id, last.lesson_id)
    )
    for lesson in order[start:] + order[:start]:
        if (lesson.module_id, lesson.id) not in read:
            return lesson
    return order[start]
