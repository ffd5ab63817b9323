"""Progress services on the real database."""

from __future__ import annotations

import pytest

from course.core.content.published import current_course
from course.core.db import db
from course.modules.learning import services
from tests.support import factories


@pytest.fixture
def learner(app):
    with app.app_context():
        user = factories.make_user()
        db.session.commit()
        yield user.id


def test_progress_starts_empty(learner):
    progress = services.progress(learner, current_course())
    assert progress.lessons_read == 0
    assert progress.lessons_total == 3
    assert progress.continue_at is None
    assert [m.state for m in progress.modules] == [services.NOT_STARTED] * 2


def test_view_then_read_updates_module_states(learner):
    course = current_course()
    first, second = course.module("alpha").lessons
    services.record_view(learner, first)
    db.session.commit()
    progress = services.progress(learner, course)
    assert progress.modules[0].state == services.IN_PROGRESS
    assert progress.continue_at is first
    services.mark_read(learner, first)
    services.mark_read(learner, second)
    db.session.commit()
    progress = services.progress(learner, course)
    assert progress.modules[0].state == services.LESSONS_READ
    assert progress.modules[0].lessons_read == 2
    assert progress.lessons_read == 2
    assert progress.is_read(first)
    assert progress.continue_at.id == "only"  # the next unread lesson after the last one


def test_viewing_twice_keeps_one_row_and_the_read_time(learner):
    course = current_course()
    lesson = course.lesson("beta", "only")
    services.mark_read(learner, lesson)
    db.session.commit()
    services.record_view(learner, lesson)
    services.record_view(learner, lesson)
    db.session.commit()
    progress = services.progress(learner, course)
    assert progress.is_read(lesson)
    from course.modules.learning.models import LessonProgress

    assert db.session.query(LessonProgress).count() == 1


def test_progress_of_one_learner_is_not_anothers(app, learner):
    other = factories.make_user()
    db.session.commit()
    services.mark_read(learner, current_course().lesson("alpha", "first"))
    db.session.commit()
    assert services.progress(other.id, current_course()).lessons_read == 0
