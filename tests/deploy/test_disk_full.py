"""The disk full when a learner submits the final exam, whose grading, completion and
certificate (with its PDF, kept in the database: the largest thing written) need room:
the learner gets a clear, translated answer, nothing is half-written, and once there is
room again the same submit issues the certificate.

SQLite: `max_page_count` makes the database file unable to grow, exactly as a full disk
does ("database or disk is full"). PostgreSQL: a full disk cannot be made from a test
without a filesystem of its own, so a trigger answers the certificate's insert with the
error PostgreSQL gives when its disk is full (SQLSTATE 53100, disk_full)."""

from __future__ import annotations

import html

from flask_migrate import upgrade
from sqlalchemy import event, func, select
from werkzeug.datastructures import MultiDict

from course.core.content.published import current_course
from course.core.db import db
from course.modules.certificates.models import Certificate
from course.modules.quizzes import services as quizzes
from course.modules.quizzes.models import OPEN, Attempt, AttemptQuestion, CourseCompletion
from tests.support import factories
from tests.support.app import SECRET
from tests.support.clients import sign_in
from tests.support.i18n import t
from tests.support.quizzes import answers_for, form_for, read_lessons

BUSY = "The service is busy or unavailable. Please try again in a few seconds."


DISK_FULL_TRIGGER = """
CREATE OR REPLACE FUNCTION test_disk_full() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER test_disk_full BEFORE INSERT ON certificates
  FOR EACH ROW EXECUTE FUNCTION test_disk_full();
"""
ROOM_AGAIN = "DROP TRIGGER IF EXISTS test_disk_full ON certificates"


def test_a_full_disk_at_the_final_submit_loses_nothing(make_app, database_url, tmp_path, lang):
    sqlite = database_url.startswith("sqlite")
    if sqlite:
        # A database of its own, new: no free pages inside the file to write into instead.
        app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'small-disk.sqlite'}")
    else:
        app = make_app()
    room = {"full": False}

    def fill(full: bool) -> None:
        room["full"] = full
        if not sqlite:
            with engine.begin() as connection:
                connection.exec_driver_sql(DISK_FULL_TRIGGER if full else ROOM_AGAIN)
        engine.dispose()  # every connection from now on is checked out as it says

    with app.app_context():
        if sqlite:
            upgrade()
        engine = db.engine

        @event.listens_for(engine, "checkout")
        def limit(dbapi_connection, _record, _proxy):
            if not sqlite:
                return
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            limit = pages if room["full"] else 2_147_483_646
            dbapi_connection.execute(f"PRAGMA max_page_count = {limit}")

        course = current_course()
        user = factories.make_user()
        db.session.commit()
        user_id, email = user.id, user.email
        read_lessons(user_id, course)
        for module in course.modules:
            if module.quiz is not None:
                quiz = quizzes.start_attempt(
                    user_id, course, quizzes.quiz_info(course, quizzes.MODULE, module.id)
                )
                quizzes.submit(quiz, answers_for(quiz, course), "kk", course)
        exam = quizzes.start_attempt(user_id, course, quizzes.quiz_info(course, quizzes.FINAL))
        db.session.commit()
        fields = MultiDict(form_for(exam, course, SECRET, answers_for(exam, course)))
        path = f"/{lang}/attempts/{exam.public_id}"
        exam_id = exam.id
    client = app.test_client()
    sign_in(client, email, factories.PASSWORD)

    fill(True)
    try:
        response = client.post(path, data=fields)
    finally:
        fill(False)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert t(app, lang, BUSY) in page
    assert f'<html lang="{lang}"' in page
    with app.app_context():
        # Nothing half-written: the exam still open, no grade, no completion, no certificate.
        attempt = db.session.get(Attempt, exam_id)
        assert attempt.status == OPEN
        graded = db.session.scalar(
            select(func.count())
            .select_from(AttemptQuestion)
            .where(AttemptQuestion.attempt_id == exam_id, AttemptQuestion.correct.is_not(None))
        )
        assert graded == 0
        assert quizzes.completion(user_id, course.edition) is None
        assert (
            db.session.scalar(
                select(func.count()).select_from(Certificate).where(Certificate.user_id == user_id)
            )
            == 0
        )
        if sqlite:
            assert db.session.execute(db.text("PRAGMA integrity_check")).scalar() == "ok"

    # Room again: the same answers, sent again, issue the certificate.
    response = client.post(path, data=fields)
    assert response.status_code == 303
    with app.app_context():
        [pdf_size] = db.session.scalars(
            select(func.length(Certificate.pdf)).where(Certificate.user_id == user_id)
        ).all()
        assert pdf_size > 1000
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(CourseCompletion)
                .where(CourseCompletion.user_id == user_id)
            )
            == 1
        )
