"""Quality gates over the real course in content/, so future edits keep them."""

from __future__ import annotations

import re

import pytest

from course.config import PROJECT_ROOT
from course.core.content import load_course
from tests.support.clients import sign_in
from tests.support.factories import PASSWORD, make_user
from tests.support.quizzes import answers_for, form_for

REAL = PROJECT_ROOT / "content"
COURSE = load_course(REAL)
LESSONS = [(lesson.module_id, lesson.id) for lesson in COURSE.lessons]
MODULES = [m.id for m in COURSE.modules]
KAZAKH_LETTERS = set("әғқңөұүһі")
WORD = re.compile(r"\w+")
LANGS = ("kk", "ru")
EXPECTED_MODULES = [
    "why-observe",
    "who-can-observe",
    "becoming-an-observer",
    "rights-and-duties",
    "cec-resolution-2020",
    "legality-and-appeals",
    "election-day",
    "after-2021",
]
TRICK_OPTIONS = re.compile(
    r"all of the above|none of the above|барлығы дұрыс|бәрі дұрыс|жоғарыдағылардың|"
    r"(все|ни один из) (выше)?перечисленн|все ответы верны",
    re.IGNORECASE,
)


def words(text: str) -> int:
    return len(WORD.findall(text))


def test_the_eight_modules_in_order():
    assert MODULES == EXPECTED_MODULES


@pytest.mark.parametrize("module_id", MODULES)
@pytest.mark.parametrize("lang", LANGS)
def test_each_module_has_800_to_1500_words(module_id, lang):
    module = COURSE.module(module_id)
    total = sum(words(lesson.body[lang]) for lesson in module.lessons)
    assert 800 <= total <= 1500, total


@pytest.mark.parametrize(("module_id", "lesson_id"), LESSONS)
def test_kazakh_pages_are_in_kazakh_and_word_counts_balance(module_id, lesson_id):
    lesson = COURSE.lesson(module_id, lesson_id)
    kk, ru = lesson.body["kk"], lesson.body["ru"]
    assert len(KAZAKH_LETTERS & set(kk.lower())) >= 5, "the Kazakh page is not in Kazakh"
    assert 0.6 <= words(kk) / words(ru) <= 1.6


@pytest.mark.parametrize(("module_id", "lesson_id"), LESSONS)
def test_every_lesson_links_key_terms_to_the_glossary(module_id, lesson_id):
    lesson = COURSE.lesson(module_id, lesson_id)
    for lang in LANGS:
        assert "../glossary#" in lesson.html[lang]


def test_glossary_has_only_terms_the_course_uses():
    used = {
        term
        for lesson in COURSE.lessons
        for lang in LANGS
        for term in re.findall(r"\(glossary:([a-z0-9-]+)\)", lesson.body[lang])
    }
    assert {g.id for g in COURSE.glossary} == used
    for entry in COURSE.glossary:
        for lang in LANGS:
            assert entry.term[lang]
            assert entry.definition[lang]


@pytest.mark.parametrize("module_id", MODULES)
def test_each_module_quiz_has_8_questions_3_of_them_scenarios(module_id):
    quiz = COURSE.module(module_id).quiz
    assert quiz is not None
    assert len(quiz.questions) >= 8
    assert sum(1 for q in quiz.questions if q.scenario) >= 3


def test_final_exam_pool_has_48_questions_6_per_module_not_from_the_quizzes():
    exam = COURSE.final_exam
    assert len(exam.pool) >= 48
    for module_id in MODULES:
        assert sum(1 for q in exam.pool if q.module_id == module_id) >= 6, module_id
    quiz_prompts = {
        q.prompt[lang] for m in COURSE.modules for q in m.quiz.questions for lang in LANGS
    }
    for q in exam.pool:
        assert not {q.prompt[lang] for lang in LANGS} & quiz_prompts, q.id
    assert exam.per_module_min * len(MODULES) <= exam.size <= len(exam.pool)


def _all_questions():
    for module in COURSE.modules:
        yield from module.quiz.questions
    yield from COURSE.final_exam.pool


@pytest.mark.parametrize("question", list(_all_questions()), ids=lambda q: q.id)
def test_every_question_explains_itself_in_both_languages(question):
    for lang in LANGS:
        assert words(question.explanation[lang]) >= 5
        assert words(question.legal_basis[lang]) >= 1
        assert question.prompt[lang]
        for option in question.options:
            assert option.text[lang]
            assert not TRICK_OPTIONS.search(option.text[lang]), option.text[lang]


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


def test_every_lesson_page_is_under_60_kb_in_both_languages(real_client):
    with real_client.get("/static/course.css") as css:
        css_size = len(css.data)
    for module_id, lesson_id in LESSONS:
        for lang in LANGS:
            response = real_client.get(f"/{lang}/learn/{module_id}/{lesson_id}")
            assert response.status_code == 200
            assert len(response.data) + css_size < 60 * 1024
            assert f'<html lang="{lang}">' in response.get_data(as_text=True)


@pytest.mark.slow
def test_the_whole_course_can_be_taken_through_the_pages(make_app, lang):
    """Every module's quiz and the final exam, answered right through the real pages."""
    from werkzeug.datastructures import MultiDict

    from course.core.db import db
    from course.modules.quizzes import services as quizzes

    app = make_app(CONTENT_DIR=str(REAL))
    with app.app_context():
        user = make_user(locale=lang)
        db.session.commit()
        email, user_id = user.email, user.id
    client = app.test_client()
    sign_in(client, email, PASSWORD, lang)

    def take(start_url):
        response = client.post(start_url)
        assert response.status_code == 303, start_url
        public_id = response.headers["Location"].rsplit("/", 1)[1]
        with app.app_context():
            attempt = quizzes.get_attempt(public_id, user_id)
            course = app.extensions["course.editions"].current()
            fields = form_for(
                attempt, course, app.config["SECRET_KEY"], answers_for(attempt, course)
            )
        response = client.post(f"/{lang}/attempts/{public_id}", data=MultiDict(fields))
        assert response.status_code == 303
        return client.get(response.headers["Location"]).get_data(as_text=True)

    for module_id, lesson_id in LESSONS:
        assert client.post(f"/{lang}/learn/{module_id}/{lesson_id}/read").status_code == 302
    for module_id in MODULES:
        assert "100%" in take(f"/{lang}/quiz/{module_id}/start")
    result = take(f"/{lang}/final-exam/start")
    assert "24" in result
    with app.app_context():
        assert quizzes.completion(user_id, COURSE.edition).final_score == 100
