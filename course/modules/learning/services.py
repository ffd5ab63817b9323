"""Progress use-cases: record a lesson view, mark a lesson read, summarise a learner's course."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from course.core.content import Course, Lesson, Module
from course.core.db import db, utcnow
from course.modules.learning.models import LessonProgress
from course.modules.learning.signals import course_activities, module_activities

NOT_STARTED, IN_PROGRESS, LESSONS_READ = "not_started", "in_progress", "lessons_read"
BATCH = 500  # ids in one IN (…): well under every backend's limit on bound parameters


@dataclass(frozen=True)
class Activity:
    """A step another area adds to a module or to the course (a quiz, the final exam).

    `label` and `note` are translated lazily, so they can be made outside a request;
    the page links to `endpoint` with `values` when it is not None.
    """

    label: Any
    done: bool
    endpoint: str | None = None
    values: dict = field(default_factory=dict)
    note: Any = None


@dataclass(frozen=True)
class ModuleProgress:
    module: Module
    lessons_read: int
    state: str  # NOT_STARTED, IN_PROGRESS or LESSONS_READ
    activities: tuple[Activity, ...] = ()

    @property
    def lessons_total(self) -> int:
        return len(self.module.lessons)

    @property
    def complete(self) -> bool:
        """Every lesson read and every step of the module (its quiz) done."""
        return self.state == LESSONS_READ and all(a.done for a in self.activities)


@dataclass(frozen=True)
class CourseProgress:
    modules: tuple[ModuleProgress, ...]
    read: frozenset[tuple[str, str]]
    continue_at: Lesson | None  # where "continue" leads; None before the first visit
    lessons_read: int
    lessons_total: int
    activities: tuple[Activity, ...] = ()  # course-wide steps, e.g. the final exam

    def module(self, module_id: str) -> ModuleProgress | None:
        return next((m for m in self.modules if m.module.id == module_id), None)

    def is_read(self, lesson: Lesson) -> bool:
        return (lesson.module_id, lesson.id) in self.read


@dataclass(frozen=True)
class Visit:
    """One lesson the learner has opened, as plain values (no ORM object to expire)."""

    module_id: str
    lesson_id: str
    last_viewed_at: datetime
    completed_at: datetime | None


# Built once: a statement made anew for each call costs about as much as running it.
_VISITS = select(
    LessonProgress.module_id,
    LessonProgress.lesson_id,
    LessonProgress.last_viewed_at,
    LessonProgress.completed_at,
).where(LessonProgress.user_id == bindparam("user_id"))


def visits(user_id: int) -> list[Visit]:
    """Every lesson the learner has opened: one query (every lesson page makes it)."""
    return [Visit(*row) for row in db.session.execute(_VISITS, {"user_id": user_id})]


def read_among(found: list[Visit]) -> frozenset[tuple[str, str]]:
    """(module id, lesson id) of the lessons read, among these visits."""
    return frozenset((v.module_id, v.lesson_id) for v in found if v.completed_at is not None)


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


def _opened_last(found: list[Visit], lesson: Lesson) -> bool:
    """This lesson is already the one the learner opened last (strictly: a tie is not)."""
    mine = next(
        (v for v in found if (v.module_id, v.lesson_id) == (lesson.module_id, lesson.id)), None
    )
    return mine is not None and all(
        v.last_viewed_at < mine.last_viewed_at for v in found if v is not mine
    )


def record_view(user_id: int, lesson: Lesson, opened: list[Visit] | None = None) -> bool:
    """Remember that the learner opened this lesson, for "continue where you left off".

    Only a change is written: opening the lesson that is already the one opened last (a
    reload, coming back to the same page) writes nothing, so that a page view costs no
    write and no commit. `opened` is the learner's `visits()` when the caller has them.
    True when something was written (the caller commits).
    """
    if _opened_last(visits(user_id) if opened is None else opened, lesson):
        return False
    _touch(user_id, lesson, utcnow())
    return True


def mark_read(user_id: int, lesson: Lesson) -> None:
    now = utcnow()
    row = _touch(user_id, lesson, now)
    if row.completed_at is None:
        row.completed_at = now


def progress(user_id: int, course: Course, opened: list[Visit] | None = None) -> CourseProgress:
    """The learner's whole course: the lessons (from `opened`, the learner's `visits()`, or
    one query) and the steps other areas add (the quiz area's receivers)."""
    rows = visits(user_id) if opened is None else opened
    read = read_among(rows)
    counts = {
        m.id: sum(1 for lesson in m.lessons if (m.id, lesson.id) in read) for m in course.modules
    }
    all_read = {m.id: counts[m.id] == len(m.lessons) for m in course.modules}
    extra: dict[str, list[Activity]] = {}
    for _receiver, found in module_activities.send(user_id, course=course, lessons_read=all_read):
        for module_id, activities in (found or {}).items():
            extra.setdefault(module_id, []).extend(activities)
    modules = []
    for module in course.modules:
        viewed = any(r.module_id == module.id for r in rows)
        if all_read[module.id]:
            state = LESSONS_READ
        elif counts[module.id] or viewed:
            state = IN_PROGRESS
        else:
            state = NOT_STARTED
        modules.append(
            ModuleProgress(module, counts[module.id], state, tuple(extra.get(module.id, ())))
        )
    course_steps = [
        activity
        for _receiver, found in course_activities.send(user_id, course=course, read=read)
        for activity in found or ()
    ]
    return CourseProgress(
        modules=tuple(modules),
        read=read,
        continue_at=_continue_at(course, rows, read),
        lessons_read=sum(counts.values()),
        lessons_total=len(course.lessons),
        activities=tuple(course_steps),
    )


def lessons_read(user_id: int) -> frozenset[tuple[str, str]]:
    """(module id, lesson id) of every lesson the learner has read: one query."""
    rows = db.session.execute(
        select(LessonProgress.module_id, LessonProgress.lesson_id).where(
            LessonProgress.user_id == user_id, LessonProgress.completed_at.is_not(None)
        )
    )
    return frozenset((module_id, lesson_id) for module_id, lesson_id in rows)


def lessons_read_by(user_ids: list[int], course: Course) -> dict[int, int]:
    """How many of the course's lessons each of these learners has read (0 for none):
    one query per 500 learners, whatever the number of lessons (a roster's column)."""
    in_course = {(lesson.module_id, lesson.id) for lesson in course.lessons}
    counts = dict.fromkeys(user_ids, 0)
    unique = sorted(counts)
    for start in range(0, len(unique), BATCH):
        rows = db.session.execute(
            select(
                LessonProgress.user_id, LessonProgress.module_id, LessonProgress.lesson_id
            ).where(
                LessonProgress.user_id.in_(unique[start : start + BATCH]),
                LessonProgress.completed_at.is_not(None),
            )
        )
        for user_id, module_id, lesson_id in rows:
            if (module_id, lesson_id) in in_course:
                counts[user_id] += 1
    return counts


def module_read(module: Module, read: frozenset[tuple[str, str]]) -> bool:
    """Every lesson of the module is among `read`."""
    return all((module.id, lesson.id) in read for lesson in module.lessons)


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
