"""Quiz pages through the test client, in both languages, including tampered submissions."""

from __future__ import annotations

import csv
import io
import re
import threading
from dataclasses import replace
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select, update
from werkzeug.datastructures import MultiDict

from course.core.content.published import current_course
from course.core.db import db
from course.modules.quizzes import services
from course.modules.quizzes.models import Attempt, AttemptQuestion
from tests.support import factories
from tests.support.clients import sign_in
from tests.support.i18n import html_lang, t
from tests.support.quizzes import answers_for, form_for, wrong_answer


def _learner(app, client, *, read=True):
    with app.app_context():
        user = factories.make_user()
        db.session.commit()
        email, user_id = user.email, user.id
    sign_in(client, email, factories.PASSWORD)
    if read:
        for path in ("alpha/first", "alpha/second", "beta/only"):
            client.post(f"/kk/learn/{path}/read")
    return user_id


@pytest.fixture
def learner(app, client):
    return _learner(app, client)


def post(client, url, pairs):
    """POST form fields in order, repeated names included, as a browser sends them."""
    return client.post(url, data=MultiDict(pairs))


def start(client, lang="kk", path="quiz/alpha"):
    response = client.post(f"/{lang}/{path}/start")
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def attempt_of(app, public_id):
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).where(Attempt.public_id == public_id))
        attempt.questions  # noqa: B018 - load them before the session closes
        db.session.expunge_all()
        return attempt


def fields(app, public_id, right=True, action="submit"):
    with app.app_context():
        attempt = services.get_attempt(public_id, attempt_of(app, public_id).user_id)
        course = current_course()
        return form_for(
            attempt, course, app.config["SECRET_KEY"], answers_for(attempt, course, right), action
        )


def nothing_stored(app, public_id):
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).where(Attempt.public_id == public_id))
        return attempt.status == "open" and all(aq.chosen is None for aq in attempt.questions)


# ---------------------------------------------------------------- the learner's path


def test_pass_a_module_quiz_in_either_language(app, client, learner, lang):
    quiz = client.get(f"/{lang}/quiz/alpha/").get_data(as_text=True)
    assert html_lang(quiz) == lang
    assert t(app, lang, "Start") in quiz
    public_id = start(client, lang)
    page = client.get(f"/{lang}/attempts/{public_id}")
    assert page.status_code == 200
    response = post(client, f"/{lang}/attempts/{public_id}", fields(app, public_id))
    assert response.status_code == 303
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert html_lang(result) == lang
    assert t(app, lang, "Passed: the pass mark is %(mark)s%%.", mark=75) in result
    explanation = {"kk": "Түсіндірме 1", "ru": "Пояснение 1"}[lang]
    basis = {"kk": "Сайлау туралы заң, 20-1-бап", "ru": "Закон о выборах, ст. 20-1"}[lang]
    assert explanation in result
    assert basis in result
    home = client.get(f"/{lang}/course").get_data(as_text=True)
    assert t(app, lang, "Module complete") in home


def test_quiz_is_closed_until_the_lessons_are_read(app, client, lang):
    _learner(app, client, read=False)
    page = client.get(f"/{lang}/quiz/alpha/").get_data(as_text=True)
    assert t(app, lang, "Read every lesson of the module first; then the quiz opens.") in page
    response = client.post(f"/{lang}/quiz/alpha/start")
    assert response.status_code == 303
    assert "/attempts/" not in response.headers["Location"]
    with app.app_context():
        assert db.session.query(Attempt).count() == 0


def test_fail_then_retake_after_the_wait(make_app, lang):
    app = make_app(QUIZ_FAILURES_BEFORE_WAIT=1, QUIZ_RETAKE_WAIT_MINUTES=60)
    client = app.test_client()
    _learner(app, client)
    public_id = start(client, lang)
    response = post(client, f"/{lang}/attempts/{public_id}", fields(app, public_id, right=False))
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert t(app, lang, "Not passed: the pass mark is %(mark)s%%.", mark=75) in result
    assert t(app, lang, "wrong") in result
    refused = client.post(f"/{lang}/quiz/alpha/start")
    assert "/attempts/" not in refused.headers["Location"]
    with app.app_context():
        assert db.session.query(Attempt).count() == 1
        # An hour passes.
        for attempt in db.session.scalars(select(Attempt)):
            attempt.finished_at -= timedelta(minutes=61)
        db.session.commit()
    second = start(client, lang)
    assert second != public_id
    response = post(client, f"/{lang}/attempts/{second}", fields(app, second))
    assert t(app, lang, "Passed: the pass mark is %(mark)s%%.", mark=75) in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)


def test_switching_language_mid_attempt_keeps_questions_and_answers(app, client, learner):
    public_id = start(client, "kk")
    kk = client.get(f"/kk/attempts/{public_id}").get_data(as_text=True)
    # Answer the choice questions only, then switch: a draft may leave questions out.
    chosen = [(k, v) for k, v in fields(app, public_id)[1:] if re.fullmatch(r"q\d+", k)]
    response = post(client, f"/kk/attempts/{public_id}", [("action", "switch"), *chosen])
    assert response.status_code == 303
    assert response.headers["Location"] == f"/ru/attempts/{public_id}"
    ru = client.get(f"/ru/attempts/{public_id}").get_data(as_text=True)
    assert html_lang(ru) == "ru"
    values = re.compile(r'name="(q\d+(?:-\w+)?)" value="(\w+)"')
    assert values.findall(kk) == values.findall(ru)  # the same questions and option values
    for name, value in chosen:
        assert f'name="{name}" value="{value}" checked' in ru
    assert not nothing_stored(app, public_id)


# ---------------------------------------------------------------- the key never leaves


def test_the_page_does_not_depend_on_the_answer_key(app, client, learner, monkeypatch):
    public_id = start(client, "kk")
    before = client.get(f"/kk/attempts/{public_id}").get_data(as_text=True)
    editions = app.extensions["course.editions"]
    course = editions.current()
    quiz = course.module("alpha").quiz
    flipped = tuple(replace(q, correct=tuple(wrong_answer(q))) for q in quiz.questions)
    assert [q.correct for q in flipped] != [q.correct for q in quiz.questions]
    module = replace(course.module("alpha"), quiz=replace(quiz, questions=flipped))
    flipped_course = replace(course, modules=(module, *course.modules[1:]))
    monkeypatch.setattr(editions, "current", lambda: flipped_course)
    monkeypatch.setattr(editions, "get", lambda number: flipped_course)
    after = client.get(f"/kk/attempts/{public_id}").get_data(as_text=True)
    assert after == before
    assert not re.search(r'value="(a|b|c|x|y|z|true|false)"', before)  # no option ids either


def test_option_values_differ_between_attempts(app, client, learner):
    mine = start(client, "kk")
    other = app.test_client()
    _learner(app, other)
    theirs = start(other, "kk")
    value = re.compile(r'name="q\d+" value="(\w+)"')
    assert set(value.findall(client.get(f"/kk/attempts/{mine}").get_data(as_text=True))).isdisjoint(
        value.findall(other.get(f"/kk/attempts/{theirs}").get_data(as_text=True))
    )
    # A friend's right answers mean nothing in another attempt.
    response = post(other, f"/kk/attempts/{theirs}", fields(app, mine))
    assert response.status_code == 400
    assert nothing_stored(app, theirs)


# ---------------------------------------------------------------- tampered submissions


def _tamper(kind, form):
    if kind == "forged value":
        target = next(k for k, v in form if re.fullmatch(r"q\d+", k))
        return [(k, "zzzzzzzzzzzz" if k == target else v) for k, v in form]
    if kind == "duplicate field":
        first = next((k, v) for k, v in form if re.fullmatch(r"q\d+", k))
        return [*form, first]
    if kind == "unknown field":
        return [*form, ("correct", "a")]
    if kind == "missing answer":
        drop = next(k for k, v in form if re.fullmatch(r"q\d+", k))
        return [(k, v) for k, v in form if k != drop]
    if kind == "two actions":
        return [*form, ("action", "save")]
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind", ["forged value", "duplicate field", "unknown field", "missing answer", "two actions"]
)
def test_tampered_submissions_are_refused_and_store_nothing(app, client, learner, lang, kind):
    public_id = start(client, lang)
    response = post(client, f"/{lang}/attempts/{public_id}", _tamper(kind, fields(app, public_id)))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert html_lang(html) == lang
    assert "Traceback" not in html
    assert nothing_stored(app, public_id)


def test_missing_answers_are_named_and_the_rest_kept_on_the_page(app, client, learner, lang):
    public_id = start(client, lang)
    form = fields(app, public_id)
    by_position = {}  # question number on the page: its fields
    for name, value in form:
        if match := re.fullmatch(r"q(\d+)(?:-\w+)?", name):
            by_position.setdefault(int(match.group(1)), []).append((name, value))
    assert sorted(by_position) == [1, 2, 3, 4]
    # Answer two questions, one of them a choice (so a kept answer shows checked); leave two.
    first_choice = next(n for n, pairs in sorted(by_position.items()) if pairs[0][0] == f"q{n}")
    answered = {first_choice, next(n for n in sorted(by_position) if n != first_choice)}
    unanswered = sorted(set(by_position) - answered)
    sent = [("action", "submit")] + [pair for n in sorted(answered) for pair in by_position[n]]
    response = post(client, f"/{lang}/attempts/{public_id}", sent)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert html_lang(page) == lang
    [alert] = re.findall(r'<p class="flash error" role="alert">(.*?)</p>', page, re.S)
    message = "Answer every question before you submit. Not answered: %(numbers)s."
    numbers = ", ".join(str(n) for n in unanswered)
    assert unescape(alert) == t(app, lang, message, numbers=numbers)
    for n in unanswered:  # the numbers named are the labels of the questions left empty
        fieldset = re.search(rf'<fieldset class="question" id="q{n}".*?</fieldset>', page, re.S)
        label = t(app, lang, "Question %(num)d of %(total)d", num=n, total=4)
        assert f'<span class="qnum">{label}</span>' in fieldset.group(0)
        assert " checked" not in fieldset.group(0)
        assert " selected" not in fieldset.group(0)
    for name, value in by_position[first_choice]:
        assert f'name="{name}" value="{value}" checked' in page
    assert nothing_stored(app, public_id)


def test_oversized_body_is_400(app, client, learner, lang):
    public_id = start(client, lang)
    form = [*fields(app, public_id), ("padding", "x" * 40_000)]
    response = post(client, f"/{lang}/attempts/{public_id}", form)
    assert response.status_code == 400
    assert t(app, lang, "What you sent is too large to be a quiz answer.") in response.get_data(
        as_text=True
    )
    assert nothing_stored(app, public_id)


def test_tampered_or_foreign_attempt_id_is_refused(app, client, learner, lang):
    public_id = start(client, lang)
    form = fields(app, public_id)
    forged = public_id[:-1] + ("0" if public_id[-1] != "0" else "1")
    assert post(client, f"/{lang}/attempts/{forged}", form).status_code == 404
    assert post(client, f"/{lang}/attempts/../x", form).status_code in (400, 404)
    intruder = app.test_client()
    _learner(app, intruder)
    response = post(intruder, f"/{lang}/attempts/{public_id}", form)
    assert response.status_code == 404  # another learner's attempt: as if there were none
    message = "There is no such attempt of yours. Start the quiz again from its page."
    assert t(app, lang, message) in response.get_data(as_text=True)
    assert intruder.get(f"/{lang}/attempts/{public_id}").status_code == 404
    assert nothing_stored(app, public_id)


def test_second_submit_is_refused_and_changes_nothing(app, client, learner, lang):
    public_id = start(client, lang)
    right = fields(app, public_id)
    wrong = fields(app, public_id, right=False)
    assert post(client, f"/{lang}/attempts/{public_id}", right).status_code == 303
    response = post(client, f"/{lang}/attempts/{public_id}", wrong)
    assert response.status_code == 400
    message = "This attempt has been submitted already; it cannot be changed."
    assert t(app, lang, message) in response.get_data(as_text=True)
    attempt = attempt_of(app, public_id)
    assert attempt.correct_count == attempt.question_count


def test_expired_attempt_is_refused(app, client, learner, lang):
    public_id = start(client, lang)
    form = fields(app, public_id)
    with app.app_context():
        db.session.execute(update(Attempt).values(expires_at=Attempt.started_at))
        db.session.commit()
    response = post(client, f"/{lang}/attempts/{public_id}", form)
    assert response.status_code == 400
    message = "The time for this attempt has run out; answers sent now are not counted."
    assert t(app, lang, message) in response.get_data(as_text=True)
    assert nothing_stored(app, public_id)


# ---------------------------------------------------------------- final exam


def test_final_exam_shows_a_breakdown_but_not_the_key(app, client, learner, lang):
    public_id = start(client, lang)
    post(client, f"/{lang}/attempts/{public_id}", fields(app, public_id))
    home = client.get(f"/{lang}/course").get_data(as_text=True)
    assert t(app, lang, "Final exam") in home
    exam = start(client, lang, "final-exam")
    response = post(client, f"/{lang}/attempts/{exam}", fields(app, exam))
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert t(app, lang, "By module") in result
    assert {"kk": "Бірінші модуль", "ru": "Первый модуль"}[lang] in result
    for text in ({"kk": "Түсіндірме 5", "ru": "Пояснение 5"}[lang], "Вариант A", "Нұсқа A"):
        assert text not in result
    assert t(app, lang, "You have completed the course on %(date)s.", date="")[:10] in result
    with app.app_context():
        assert services.completion(learner, 3) is not None


# ---------------------------------------------------------------- accessibility


def test_every_question_is_a_fieldset_with_legend_and_labelled_options(app, client, learner):
    public_id = start(client, "ru")
    html = client.get(f"/ru/attempts/{public_id}").get_data(as_text=True)
    assert html.count("<fieldset") == 4
    assert html.count("<legend>") == 4
    assert (
        len(re.findall(r'<label class="option"><input type="(radio|checkbox)"', html)) == 3 + 3 + 2
    )
    for select_id in re.findall(r'<select id="([^"]+)"', html):
        assert f'<label for="{select_id}">' in html
    # Works without JavaScript: the only script installs the offline service worker.
    (script,) = re.findall(r"<script[^>]*>", html)
    # Its URL carries the file's content hash (cached for a year, see tests/core/test_caching.py).
    assert re.fullmatch(r'<script src="/static/offline\.js\?v=[0-9a-f]{16}" defer>', script)


# ---------------------------------------------------------------- trainers


def test_statistics_page_is_for_trainers_only(app, client, learner, lang):
    public_id = start(client, lang)
    post(client, f"/{lang}/attempts/{public_id}", fields(app, public_id))
    assert client.get(f"/{lang}/trainer/questions").status_code == 403
    with app.app_context():
        trainer = factories.make_user(role="trainer")
        db.session.commit()
        email = trainer.email
    staff = app.test_client()
    sign_in(staff, email, factories.PASSWORD)
    page = staff.get(f"/{lang}/trainer/questions")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "a-order" in html
    assert t(app, lang, "Discrimination") in html


def test_statistics_on_the_command_line(app, client, learner):
    public_id = start(client, "kk")
    post(client, f"/kk/attempts/{public_id}", fields(app, public_id))
    result = app.test_cli_runner().invoke(args=["stats", "questions", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert {r["question"] for r in rows} == {"a-single", "a-multi", "a-tf", "a-order"}
    single = next(r for r in rows if r["question"] == "a-single")
    assert single["answers"] == "1"
    assert single["facility_percent"] == "100.0"
    assert single["answers_kk"] == "1"
    assert single["options_chosen"] == "b=1"
    assert single["options_chosen_kk"] == "b=1"
    assert single["options_chosen_ru"] == ""
    with app.app_context():
        assert (
            db.session.query(AttemptQuestion).filter(AttemptQuestion.correct.is_(True)).count() == 4
        )


# ---------------------------------------------------------------- at the same time


def _at_once(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _two_sessions(app):
    with app.app_context():
        user = factories.make_user()
        db.session.commit()
        email = user.email
    clients = [app.test_client(), app.test_client()]
    for c in clients:
        sign_in(c, email, factories.PASSWORD)
    for path in ("alpha/first", "alpha/second"):
        clients[0].post(f"/kk/learn/{path}/read")
    return clients


def test_simultaneous_starts_open_one_attempt(make_app):
    app = make_app(DATABASE_BUSY_TIMEOUT=10)
    first, second = _two_sessions(app)
    responses = _at_once(
        lambda: first.post("/kk/quiz/alpha/start"), lambda: second.post("/ru/quiz/alpha/start")
    )
    locations = {r.headers["Location"].rsplit("/", 1)[1] for r in responses}
    assert [r.status_code for r in responses] == [303, 303]
    assert len(locations) == 1
    with app.app_context():
        assert db.session.query(Attempt).count() == 1


def test_simultaneous_submits_grade_once(make_app):
    app = make_app(DATABASE_BUSY_TIMEOUT=10)
    first, second = _two_sessions(app)
    public_id = start(first, "kk")
    right, wrong = fields(app, public_id), fields(app, public_id, right=False)
    responses = _at_once(
        lambda: post(first, f"/kk/attempts/{public_id}", right),
        lambda: post(second, f"/ru/attempts/{public_id}", wrong),
    )
    assert sorted(r.status_code for r in responses) == [303, 400]
    attempt = attempt_of(app, public_id)
    winner = next(i for i, r in enumerate(responses) if r.status_code == 303)
    assert attempt.correct_count == (attempt.question_count if winner == 0 else 0)
    assert attempt.lang == ("kk" if winner == 0 else "ru")
