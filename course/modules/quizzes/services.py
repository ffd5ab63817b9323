"""Quiz use-cases: start, save, submit and grade attempts; retake rules; completion; stats.

Services take plain values (the user id, the course, the time), flush but never commit,
and never read the request.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from course.core.content import Course, Question
from course.core.db import db, utcnow
from course.modules.learning import services as learning
from course.modules.quizzes import grading, selection, statistics
from course.modules.quizzes.answers import DrawnQuestion
from course.modules.quizzes.kinds import (  # noqa: F401 (this package's names for callers)
    FINAL,
    MODULE,
    REFRESHER,
    REFRESHER_MAX,
    REFRESHER_PER_MODULE,
    QuizInfo,
    quiz_info,
    refresher_info,
    refresher_pool,
)
from course.modules.quizzes.models import (
    EXPIRED,
    OPEN,
    SUBMITTED,
    Attempt,
    AttemptQuestion,
    CourseCompletion,
)
from course.modules.quizzes.signals import course_completed
from course.modules.quizzes.tokens import option_token


class NotAvailable(Exception):
    """The learner may not start this quiz now. `reason`: lessons, modules, passed, wait."""

    def __init__(self, reason: str, until: datetime | None = None):
        self.reason, self.until = reason, until
        super().__init__(reason)


class AttemptNotFound(Exception):
    """No such attempt for this learner (or the id was tampered with)."""


class AttemptClosed(Exception):
    """The attempt was submitted already, or its time ran out. `status` says which."""

    def __init__(self, status: str):
        self.status = status
        super().__init__(status)


@dataclass(frozen=True)
class QuizState:
    info: QuizInfo
    attempts: list[Attempt]  # newest first
    open_attempt: Attempt | None
    best: Attempt | None
    passed: bool
    blocked: NotAvailable | None  # why a new attempt cannot start now, if it cannot
    graded_now: bool = False  # an attempt whose time ran out was graded: the caller commits


@dataclass(frozen=True)
class ModuleScore:
    module_id: str
    correct: int
    total: int


# ---------------------------------------------------------------- state and rules


def _attempts(user_id: int, quiz_id: str) -> list[Attempt]:
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.user_id == user_id, Attempt.quiz_id == quiz_id)
            .order_by(Attempt.started_at.desc(), Attempt.id.desc())
        )
    )


def passed_quiz_ids(user_id: int) -> set[str]:
    return set(
        db.session.scalars(
            select(Attempt.quiz_id).where(Attempt.user_id == user_id, Attempt.passed.is_(True))
        )
    )


def all_modules_done(course: Course, read: frozenset[tuple[str, str]], passed: set[str]) -> bool:
    """The rule that opens the final exam and completes the course: every module's
    lessons read and its quiz (if it has one) passed. The one place it is written."""
    return all(
        learning.module_read(m, read) and (m.quiz is None or m.quiz.id in passed)
        for m in course.modules
    )


def modules_complete(user_id: int, course: Course) -> bool:
    """`all_modules_done` for this learner: two queries, whatever the number of modules."""
    return all_modules_done(course, learning.lessons_read(user_id), passed_quiz_ids(user_id))


def _retake_wait(attempts: list[Attempt], now: datetime) -> datetime | None:
    """After every N failed attempts in a row, the next waits; None when it need not."""
    every = current_app.config["QUIZ_FAILURES_BEFORE_WAIT"]
    wait = timedelta(minutes=current_app.config["QUIZ_RETAKE_WAIT_MINUTES"])
    failures = []
    for attempt in attempts:  # newest first
        if attempt.status == OPEN:
            continue
        if attempt.passed:
            break
        failures.append(attempt)
    if not every or not failures or len(failures) % every:
        return None
    until = failures[0].finished_at + wait
    return until if now < until else None


def quiz_state(
    user_id: int, course: Course, info: QuizInfo, now: datetime | None = None
) -> QuizState:
    now = now or utcnow()
    attempts = _attempts(user_id, info.quiz_id)
    graded_now = False
    for attempt in attempts:
        graded_now |= close_if_expired(attempt, course, now)
    open_attempt = next((a for a in attempts if a.status == OPEN), None)
    graded = [a for a in attempts if a.correct_count is not None]
    best = max(
        graded, key=lambda a: (a.correct_count * 100 // a.question_count, -a.id), default=None
    )
    passed = any(a.passed for a in attempts)
    blocked: NotAvailable | None = None
    if passed:
        blocked = NotAvailable("passed")
    elif info.kind == MODULE and not learning.module_read(
        course.module(info.module_id), learning.lessons_read(user_id)
    ):
        blocked = NotAvailable("lessons")
    elif info.kind == FINAL and not modules_complete(user_id, course):
        blocked = NotAvailable("modules")
    elif open_attempt is None and (until := _retake_wait(attempts, now)):
        blocked = NotAvailable("wait", until)
    return QuizState(info, attempts, open_attempt, best, passed, blocked, graded_now)


# ---------------------------------------------------------------- attempts


def start_attempt(
    user_id: int,
    course: Course,
    info: QuizInfo,
    *,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> Attempt:
    """The learner's open attempt at this quiz, or a new one; raises NotAvailable."""
    now = now or utcnow()
    state = quiz_state(user_id, course, info, now)
    if state.open_attempt is not None:
        return state.open_attempt
    if state.blocked is not None:
        raise state.blocked
    rng = rng or random.SystemRandom()
    questions = _draw(course, info, state.attempts, rng)
    attempt = Attempt(
        public_id=secrets.token_hex(16),
        user_id=user_id,
        kind=info.kind,
        quiz_id=info.quiz_id,
        module_id=info.module_id,
        edition=course.edition,
        pass_mark=info.pass_mark,
        status=OPEN,
        started_at=now,
        expires_at=now + timedelta(minutes=info.time_limit_minutes),
        question_count=len(questions),
    )
    attempt.questions = [
        AttemptQuestion(
            position=position,
            question_id=q.id,
            module_id=q.module_id,
            option_order=selection.option_order(q, rng),
        )
        for position, q in enumerate(questions, start=1)
    ]
    try:
        # The partial unique index allows one open attempt: a double click's second
        # start fails here and gets the first one's attempt.
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        existing = db.session.scalar(
            select(Attempt).where(
                Attempt.user_id == user_id, Attempt.quiz_id == info.quiz_id, Attempt.status == OPEN
            )
        )
        if existing is None:
            raise
        return existing
    return attempt


def _draw(course: Course, info: QuizInfo, previous: list[Attempt], rng) -> list[Question]:
    if info.kind == MODULE:
        questions = list(course.module(info.module_id).quiz.questions)
        rng.shuffle(questions)
        return questions
    seen = {q.question_id for a in previous for q in a.questions}
    if info.kind == REFRESHER:
        pool = refresher_pool(course, info.module_ids)
        size = min(len(pool), REFRESHER_PER_MODULE * len(info.module_ids), REFRESHER_MAX)
        return selection.draw_final_exam(pool, list(info.module_ids), size, 1, seen, rng)
    exam = course.final_exam
    return selection.draw_final_exam(
        exam.pool, [m.id for m in course.modules], exam.size, exam.per_module_min, seen, rng
    )


def get_attempt(public_id: str, user_id: int) -> Attempt:
    attempt = db.session.scalar(select(Attempt).where(Attempt.public_id == public_id))
    if attempt is None or attempt.user_id != user_id:
        raise AttemptNotFound
    return attempt


def drawn_questions(attempt: Attempt, course: Course, secret: str) -> list[DrawnQuestion]:
    """The attempt's questions with the option values its page uses, in display order."""
    return [
        DrawnQuestion(
            position=aq.position,
            question_id=aq.question_id,
            type=course.question(aq.question_id).type,
            tokens={
                option_token(secret, attempt.public_id, aq.question_id, option_id): option_id
                for option_id in aq.option_order
            },
        )
        for aq in attempt.questions
    ]


def ensure_open(attempt: Attempt, now: datetime) -> None:
    """Raises AttemptClosed unless answers may still be given."""
    if attempt.status != OPEN:
        raise AttemptClosed(attempt.status)
    if now >= attempt.expires_at:
        raise AttemptClosed(EXPIRED)


def save_answers(
    attempt: Attempt, answers: dict[str, list[str]], lang: str, now: datetime | None = None
) -> None:
    """Keep a draft of the answers given so far (to switch language, or to come back)."""
    ensure_open(attempt, now or utcnow())
    for aq in attempt.questions:
        if aq.question_id in answers:
            aq.chosen = list(answers[aq.question_id])
    attempt.lang = lang


def submit(
    attempt: Attempt,
    answers: dict[str, list[str]],
    lang: str,
    course: Course,
    now: datetime | None = None,
) -> Attempt:
    """Grade the attempt once; raises AttemptClosed if it was submitted or has expired."""
    now = now or utcnow()
    ensure_open(attempt, now)
    # The status check and change in one statement: of two simultaneous submits (two
    # tabs, two servers) exactly one changes the row; the other is refused.
    changed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == OPEN)
        .values(status=SUBMITTED, finished_at=now, lang=lang)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.expire(attempt)
        raise AttemptClosed(SUBMITTED)
    # What the UPDATE wrote, without reading the row back (and its questions again).
    for name, value in (("status", SUBMITTED), ("finished_at", now), ("lang", lang)):
        set_committed_value(attempt, name, value)
    for aq in attempt.questions:
        if aq.question_id in answers:
            aq.chosen = list(answers[aq.question_id])
    _grade(attempt, course)
    _complete_course_if_due(attempt, course, now)
    return attempt


def close_if_expired(attempt: Attempt, course: Course, now: datetime) -> bool:
    """An attempt whose time ran out is graded on the answers it had saved. True when this
    call changed it (the caller commits); a page view of an open attempt writes nothing."""
    if attempt.status != OPEN or now < attempt.expires_at:
        return False
    changed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == OPEN)
        .values(status=EXPIRED, finished_at=attempt.expires_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(attempt)
    if changed != 1:
        return False  # another request closed it first
    _grade(attempt, course)
    _complete_course_if_due(attempt, course, now)
    return True


def _grade(attempt: Attempt, course: Course) -> None:
    correct = 0
    for aq in attempt.questions:
        question = course.question(aq.question_id)
        aq.correct = question is not None and grading.grade(
            question.type, question.correct, aq.chosen
        )
        correct += aq.correct
    score = grading.Score(correct, attempt.question_count, attempt.pass_mark)
    attempt.correct_count = score.correct
    attempt.passed = score.passed
    db.session.flush()


def _complete_course_if_due(attempt: Attempt, course: Course, now: datetime) -> None:
    if attempt.kind not in (FINAL, REFRESHER) or not attempt.passed:
        return
    # A refresher was opened only to a holder of an earlier edition's certificate who had
    # read the changed lessons again (the refreshers area checks): passing it completes
    # the edition as the final exam does.
    if attempt.kind == FINAL and not modules_complete(attempt.user_id, course):
        return
    completion = CourseCompletion(
        user_id=attempt.user_id,
        edition=attempt.edition,
        completed_at=now,
        final_attempt_id=attempt.id,
        final_score=attempt.score_percent,
    )
    try:
        with db.session.begin_nested():
            db.session.add(completion)
    except IntegrityError:
        return  # completed already (the constraint keeps it to one per edition)
    course_completed.send(attempt.user_id, completion=completion, course=course)


def completion(user_id: int, edition: int | None = None) -> CourseCompletion | None:
    query = select(CourseCompletion).where(CourseCompletion.user_id == user_id)
    if edition is not None:
        query = query.where(CourseCompletion.edition == edition)
    return db.session.scalar(query.order_by(CourseCompletion.completed_at.desc()))


def get_completion(completion_id: int) -> CourseCompletion | None:
    return db.session.get(CourseCompletion, completion_id)


def module_breakdown(attempt: Attempt, course: Course) -> list[ModuleScore]:
    """Right answers per module, in course order (the final exam's result page)."""
    scores = []
    for module in course.modules:
        mine = [aq for aq in attempt.questions if aq.module_id == module.id]
        if mine:
            scores.append(ModuleScore(module.id, sum(1 for aq in mine if aq.correct), len(mine)))
    return scores


# ---------------------------------------------------------------- statistics


def item_statistics() -> list[statistics.QuestionStats]:
    """Statistics of every question over every graded attempt."""
    attempts = db.session.scalars(
        select(Attempt).where(Attempt.correct_count.is_not(None)).order_by(Attempt.id)
    ).all()
    records = [
        statistics.AttemptRecord(
            attempt_id=a.id,
            quiz_id=a.quiz_id,
            lang=a.lang or "?",
            score=a.score_percent,
            answers=tuple(
                statistics.AnswerRecord(aq.question_id, bool(aq.correct), tuple(aq.chosen or ()))
                for aq in a.questions
            ),
        )
        for a in attempts
    ]
    return statistics.item_statistics(records)
