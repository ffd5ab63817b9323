"""A certificate is issued on the edition its final exam was taken on, even when a newer
edition is published while the learner is sitting the exam."""

from __future__ import annotations

import io
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from course.core.content.published import current_course, editions
from course.core.content.records import EditionRecord
from course.core.db import db
from course.modules.certificates import services
from course.modules.quizzes import services as quizzes
from tests.support import factories
from tests.support.app import FIXTURE_CONTENT
from tests.support.quizzes import answers_for, read_lessons


@pytest.fixture
def app(make_app, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)  # this test publishes: never the fixture
    return make_app(CONTENT_DIR=str(content))


def _publish_a_new_title_and_law_date(content) -> None:
    for lang, title in (("kk", "Жаңа атау"), ("ru", "Новое название")):
        path = content / lang / "course.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"^title: .*$", f"title: {title}", text, count=1, flags=re.M))
    structure = content / "course.yaml"
    structure.write_text(
        re.sub(r"status_as_of: \S+", "status_as_of: 2026-11-30", structure.read_text("utf-8")),
        encoding="utf-8",
    )
    editions().publish(
        EditionRecord(number=editions().next_number(), published_on=date(2026, 12, 1))
    )


def test_a_publish_during_the_exam_does_not_change_the_certificates_edition(app):
    with app.app_context():
        exam_course = current_course()
        user = factories.make_user()
        db.session.commit()
        read_lessons(user.id, exam_course)
        quiz = quizzes.start_attempt(
            user.id, exam_course, quizzes.quiz_info(exam_course, quizzes.MODULE, "alpha")
        )
        quizzes.submit(quiz, answers_for(quiz, exam_course), "kk", exam_course)
        exam = quizzes.start_attempt(
            user.id, exam_course, quizzes.quiz_info(exam_course, quizzes.FINAL)
        )
        db.session.commit()
        # A trainer publishes while the learner is answering.
        _publish_a_new_title_and_law_date(Path(app.config["CONTENT_DIR"]))
        assert current_course().edition == exam_course.edition + 1
        quizzes.submit(exam, answers_for(exam, exam_course), "kk", exam_course)
        db.session.commit()
        certificate = services.current_certificate(user.id)
        assert certificate.edition == exam_course.edition
        assert certificate.status_as_of == exam_course.law_as_of
        assert certificate.status_as_of != current_course().law_as_of
        text = PdfReader(io.BytesIO(certificate.pdf)).pages[0].extract_text()
        assert exam_course.title["ru"] in text
        assert "Новое название" not in text
