"""Certificates: a learner who has completed the fixture course, and so holds one."""

from __future__ import annotations

from course.core.content.published import current_course
from course.core.db import db
from course.modules.quizzes import services as quizzes
from tests.support import factories
from tests.support.quizzes import answers_for, read_lessons


def complete_course(**user_fields) -> int:
    """Inside an app context: a new learner who passed everything; returns the user id."""
    course = current_course()
    user = factories.make_user(**user_fields)
    db.session.commit()
    read_lessons(user.id, course)
    for info in (
        quizzes.quiz_info(course, quizzes.MODULE, "alpha"),
        quizzes.quiz_info(course, quizzes.FINAL),
    ):
        attempt = quizzes.start_attempt(user.id, course, info)
        quizzes.submit(attempt, answers_for(attempt, course), "kk", course)
    db.session.commit()
    return user.id
