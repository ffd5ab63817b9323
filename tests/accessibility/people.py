"""The people the accessibility tests need, made through the services."""

from __future__ import annotations

from course.core.content.published import current_course
from course.core.db import db
from course.modules.accounts import services as accounts
from course.modules.certificates import services as certificates
from course.modules.quizzes import services as quizzes
from tests.support import factories
from tests.support.certificates import complete_course
from tests.support.quizzes import answers_for, read_lessons


def holder(app) -> dict:
    """A learner who completed the fixture course: {"email", "code", "qr"}."""
    with app.app_context():
        user_id = complete_course(full_name="Әсел Қайратқызы Нұрланова")
        certificate = certificates.current_certificate(user_id)
        return {
            "email": accounts.get_user(user_id).email,
            "code": certificate.code,
            "qr": certificate.qr_text,
        }


def learner_in_progress(app) -> str:
    """A learner who has read the first module's lessons and nothing else: their e-mail."""
    with app.app_context():
        user = factories.make_user(full_name="Бақытжан Серікұлы Омаров")
        db.session.commit()
        read_lessons(user.id, current_course(), "alpha")
        db.session.commit()
        return user.email


def learner_before_the_exam(app) -> str:
    """A learner who has read every lesson and passed every module's quiz: their e-mail."""
    with app.app_context():
        course = current_course()
        user = factories.make_user(full_name="Жанна Ивановна Петрова", locale="ru")
        db.session.commit()
        read_lessons(user.id, course)
        attempt = quizzes.start_attempt(
            user.id, course, quizzes.quiz_info(course, quizzes.MODULE, "alpha")
        )
        quizzes.submit(attempt, answers_for(attempt, course), "ru", course)
        db.session.commit()
        return user.email
