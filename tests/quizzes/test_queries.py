"""What the quiz pages cost the database: a fixed number of queries whatever the number of
questions or attempts; one statement for all of an attempt's answers; no write on a view."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from course.core.content.published import current_course
from course.core.db import db
from course.modules.quizzes import services
from tests.support import factories
from tests.support.clients import sign_in
from tests.support.queries import queries_of
from tests.support.quizzes import answers_for, form_for


@pytest.fixture
def app(make_app):
    # QUIZ_FAILURES_BEFORE_WAIT=0: failed attempts can follow each other without a wait.
    # The check for newly published editions (one small query a second) would otherwise
    # land in some of the counts below.
    return make_app(QUIZ_FAILURES_BEFORE_WAIT=0, EDITIONS_CHECK_SECONDS=3600)


@pytest.fixture
def learner(app, client):
    with app.app_context():
        user = factories.make_user()
        db.session.commit()
        email, user_id = user.email, user.id
    sign_in(client, email, factories.PASSWORD)
    for path in ("alpha/first", "alpha/second", "beta/only"):
        client.post(f"/kk/learn/{path}/read")
    return user_id


def start(client, path="quiz/alpha"):
    response = client.post(f"/kk/{path}/start")
    assert response.status_code == 303
    return response.headers["Location"].rsplit("/", 1)[1]


def answers(app, user_id, public_id, right=True):
    with app.app_context():
        attempt = services.get_attempt(public_id, user_id)
        course = current_course()
        return MultiDict(
            form_for(attempt, course, app.config["SECRET_KEY"], answers_for(attempt, course, right))
        )


def submit(app, client, user_id, public_id, right=True):
    return queries_of(
        app,
        client,
        f"/kk/attempts/{public_id}",
        "POST",
        data=answers(app, user_id, public_id, right),
    )


def test_submitting_grades_every_answer_in_one_statement(app, client, learner):
    public_id = start(client)
    response, seen = submit(app, client, learner, public_id)
    assert response.status_code == 303
    assert seen.commits == 1
    # The fixture's module quiz has four questions: each answer in its own UPDATE would
    # be four statements.
    assert len(seen.on("quiz_attempt_questions")) <= 2, seen  # the questions, their answers
    assert seen.count <= 6, seen
    with app.app_context():
        attempt = services.get_attempt(public_id, learner)
        assert attempt.passed is True
        assert all(aq.correct and aq.chosen for aq in attempt.questions)


def test_the_final_exam_completes_the_course_in_a_fixed_number_of_queries(app, client, learner):
    submit(app, client, learner, start(client))
    public_id = start(client, "final-exam")
    response, seen = submit(app, client, learner, public_id)
    assert response.status_code == 303
    # grading, the completion rule (two queries), the completion, the certificate (one
    # lookup of its place in the status list, not a read of every place in use) and the
    # holder's earlier editions' certificates it replaces (one query)
    assert seen.count <= 14, seen
    places = [s for s in seen if s.startswith("SELECT") and "WHERE certificates.status_index" in s]
    assert len(places) == 1, seen
    result = client.get(response.headers["Location"])
    assert result.status_code == 200


@pytest.mark.parametrize("failed_before", [0, 3])
def test_quiz_and_result_pages_make_a_fixed_number_of_queries(app, client, learner, failed_before):
    """The same bound after one attempt or after four: a query per attempt (or per
    question) would break it."""
    for _ in range(failed_before):
        submit(app, client, learner, start(client), right=False)
    public_id = start(client)
    response, on_page = queries_of(app, client, f"/kk/attempts/{public_id}")
    assert response.status_code == 200
    assert on_page.writes() == []
    assert on_page.commits == 0
    assert on_page.count <= 3, on_page  # the user, the attempt, its questions
    submit(app, client, learner, public_id, right=False)
    bounds = {
        "/kk/quiz/alpha/": 4,  # the user, the attempts, their questions, the lessons read
        f"/kk/attempts/{public_id}/result": 7,  # the attempt, and the quiz's state as above
        "/kk/final-exam/": 5,
    }
    for path, bound in bounds.items():
        response, seen = queries_of(app, client, path)
        assert response.status_code == 200, path
        assert seen.count <= bound, f"{path}:\n{seen}"
        assert seen.writes() == [], path
        assert seen.commits == 0, path
