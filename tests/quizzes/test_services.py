"""Quiz services on the real database: attempts, grading, retakes, completion, statistics."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from course.core.content.published import current_course
from course.core.db import db, utcnow
from course.modules.quizzes import services
from course.modules.quizzes.models import Attempt, AttemptQuestion, CourseCompletion
from course.modules.quizzes.signals import course_completed
from tests.support import factories
from tests.support.quizzes import answers_for, read_lessons


@pytest.fixture
def learner(app):
    with app.app_context():
        user = factories.make_user()
        db.session.commit()
        yield user.id


def alpha():
    return services.quiz_info(current_course(), services.MODULE, "alpha")


def final():
    return services.quiz_info(current_course(), services.FINAL)


def take(learner, info, right=True, now=None):
    course = current_course()
    attempt = services.start_attempt(learner, course, info, now=now)
    services.submit(attempt, answers_for(attempt, course, right), "kk", course, now)
    db.session.commit()
    return attempt


def test_quiz_opens_only_after_the_lessons(learner):
    with pytest.raises(services.NotAvailable) as info:
        services.start_attempt(learner, current_course(), alpha())
    assert info.value.reason == "lessons"
    read_lessons(learner, current_course(), "alpha")
    attempt = services.start_attempt(learner, current_course(), alpha())
    assert attempt.status == "open"


def test_a_module_attempt_asks_every_question_in_a_shuffled_order(app, learner):
    app.config["QUIZ_FAILURES_BEFORE_WAIT"] = 0  # no waiting between the failed tries below
    read_lessons(learner, current_course(), "alpha")
    orders = set()
    for _ in range(6):
        attempt = take(learner, alpha(), right=False)
        ids = [aq.question_id for aq in attempt.questions]
        assert sorted(ids) == ["a-multi", "a-order", "a-single", "a-tf"]
        orders.add(tuple(ids))
    assert len(orders) > 1  # 6 draws of 24 orders all alike: about 1 in 8 million


def test_starting_twice_resumes_the_open_attempt(learner):
    read_lessons(learner, current_course(), "alpha")
    first = services.start_attempt(learner, current_course(), alpha())
    db.session.commit()
    assert services.start_attempt(learner, current_course(), alpha()).id == first.id


def test_the_database_allows_one_open_attempt_per_quiz(learner):
    read_lessons(learner, current_course(), "alpha")
    first = services.start_attempt(learner, current_course(), alpha())
    db.session.commit()
    twin = Attempt(
        public_id="0" * 32,
        user_id=learner,
        kind="module",
        quiz_id=first.quiz_id,
        module_id="alpha",
        edition=3,
        pass_mark=75,
        expires_at=first.expires_at,
        question_count=4,
    )
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_submit_grades_on_the_server_and_only_once(learner):
    course = current_course()
    read_lessons(learner, course, "alpha")
    attempt = services.start_attempt(learner, course, alpha())
    answers = answers_for(attempt, course, right={"a-single", "a-multi", "a-order"})
    services.submit(attempt, answers, "ru", course)
    db.session.commit()
    assert attempt.correct_count == 3
    assert attempt.score_percent == 75
    assert attempt.passed is True  # the fixture's pass mark is 75
    assert attempt.lang == "ru"
    assert {aq.question_id: aq.correct for aq in attempt.questions}["a-tf"] is False
    with pytest.raises(services.AttemptClosed):
        services.submit(attempt, answers_for(attempt, course), "ru", course)
    db.session.rollback()
    assert db.session.get(Attempt, attempt.id).correct_count == 3


def test_an_expired_attempt_refuses_answers_and_is_graded_on_what_was_saved(learner):
    course = current_course()
    read_lessons(learner, course, "alpha")
    start = utcnow() - timedelta(hours=2)
    attempt = services.start_attempt(learner, course, alpha(), now=start)
    services.save_answers(attempt, answers_for(attempt, course), "kk", now=start)
    db.session.commit()
    with pytest.raises(services.AttemptClosed) as info:
        services.submit(attempt, {}, "kk", course)
    assert info.value.status == "expired"
    db.session.rollback()
    state = services.quiz_state(learner, course, alpha())
    db.session.commit()
    closed = db.session.get(Attempt, attempt.id)
    assert closed.status == "expired"
    assert closed.correct_count == 4
    assert state.passed


def test_after_n_failures_the_next_attempt_waits(app, learner):
    app.config.update(QUIZ_FAILURES_BEFORE_WAIT=2, QUIZ_RETAKE_WAIT_MINUTES=30)
    course = current_course()
    read_lessons(learner, course, "alpha")
    now = utcnow()
    take(learner, alpha(), right=False, now=now)
    second = take(learner, alpha(), right=False, now=now)  # one failure: no wait yet
    with pytest.raises(services.NotAvailable) as info:
        services.start_attempt(learner, course, alpha(), now=now + timedelta(minutes=29))
    assert info.value.reason == "wait"
    assert info.value.until == second.finished_at + timedelta(minutes=30)
    later = now + timedelta(minutes=31)
    assert services.start_attempt(learner, course, alpha(), now=later).status == "open"


def test_a_new_final_exam_prefers_unseen_questions(app, learner):
    course = current_course()
    read_lessons(learner, course)
    take(learner, alpha())
    first = services.start_attempt(learner, course, final())
    assert {aq.module_id for aq in first.questions} == {"alpha", "beta"}
    assert len(first.questions) == 2


def test_final_exam_needs_every_module_and_completes_the_course_once(learner):
    course = current_course()
    received = []

    def receiver(sender, completion, course):
        received.append((sender, completion.edition, course.edition))

    course_completed.connect(receiver)
    try:
        read_lessons(learner, course)
        with pytest.raises(services.NotAvailable) as info:
            services.start_attempt(learner, course, final())
        assert info.value.reason == "modules"
        take(learner, alpha())
        exam = take(learner, final())
        assert exam.passed
    finally:
        course_completed.disconnect(receiver)
    completion = services.completion(learner, course.edition)
    assert completion.edition == 3
    assert completion.final_score == 100
    assert completion.final_attempt_id == exam.id
    assert received == [(learner, 3, 3)]  # the signal names the exam's edition
    db.session.add(
        CourseCompletion(user_id=learner, edition=3, final_attempt_id=exam.id, final_score=50)
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_final_breakdown_by_module(learner):
    course = current_course()
    read_lessons(learner, course)
    take(learner, alpha())
    attempt = services.start_attempt(learner, course, final())
    services.submit(attempt, answers_for(attempt, course, right={"f-alpha"}), "kk", course)
    assert [
        (m.module_id, m.correct, m.total) for m in services.module_breakdown(attempt, course)
    ] == [
        ("alpha", 1, 1),
        ("beta", 0, 1),
    ]
    assert attempt.passed  # 1 of 2 against a pass mark of 50


def test_item_statistics_from_the_database(app, learner):
    app.config["QUIZ_FAILURES_BEFORE_WAIT"] = 0
    course = current_course()
    read_lessons(learner, course, "alpha")
    take(learner, alpha(), right=False)
    take(learner, alpha(), right=True)
    stats = {s.question_id: s for s in services.item_statistics()}
    assert stats["a-single"].overall.answers == 2
    assert stats["a-single"].overall.facility == 0.5
    assert stats["a-single"].discrimination == 1.0
    assert stats["a-single"].by_lang["kk"].answers == 2
    assert db.session.query(AttemptQuestion).count() == 8
