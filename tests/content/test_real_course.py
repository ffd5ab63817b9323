"""The real course in content/: valid, light pages, Kazakh in Kazakh, languages in balance."""

from __future__ import annotations

import re

import pytest

from course.config import PROJECT_ROOT
from course.core.content import load_course
from tests.conftest import sign_in
from tests.factories import PASSWORD, make_user

REAL = PROJECT_ROOT / "content"
COURSE = load_course(REAL)
LESSONS = [(lesson.module_id, lesson.id) for lesson in COURSE.lessons]
KAZAKH_LETTERS = set("әғқңөұүһі")
WORD = re.compile(r"\w+", re.UNICODE)


@pytest.fixture
def real_client(make_app):
    app = make_app(CONTENT_DIR=str(REAL))
    with app.app_context():
        from course.core.db import db

        user = make_user()
        db.session.commit()
        email = user.email
    client = app.test_client()
    sign_in(client, email, PASSWORD)
    return client


@pytest.mark.parametrize(("module_id", "lesson_id"), LESSONS)
def test_every_lesson_page_is_under_60_kb_in_both_languages(real_client, module_id, lesson_id):
    with real_client.get("/static/course.css") as css:
        css_size = len(css.data)
    for lang in ("kk", "ru"):
        response = real_client.get(f"/{lang}/learn/{module_id}/{lesson_id}")
        assert response.status_code == 200
        assert len(response.data) + css_size < 60 * 1024
        assert f'<html lang="{lang}">' in response.get_data(as_text=True)


@pytest.mark.parametrize(("module_id", "lesson_id"), LESSONS)
def test_kazakh_pages_are_in_kazakh_and_word_counts_balance(module_id, lesson_id):
    lesson = COURSE.lesson(module_id, lesson_id)
    kk, ru = lesson.body["kk"], lesson.body["ru"]
    assert KAZAKH_LETTERS & set(kk.lower()), "the Kazakh page uses no Kazakh letters"
    ratio = len(WORD.findall(kk)) / len(WORD.findall(ru))
    assert 0.6 <= ratio <= 1.6
