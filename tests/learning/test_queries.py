"""What the learning pages cost the database: a fixed number of queries whatever the
number of lessons, and no write when a lesson is opened again."""

from __future__ import annotations

import pytest

from tests.support.i18n import t
from tests.support.queries import queries_of

LESSONS = ("alpha/first", "alpha/second", "beta/only")


@pytest.fixture
def app(make_app):
    # The check for newly published editions (one small query a second) would otherwise
    # land in some of the counts below.
    return make_app(EDITIONS_CHECK_SECONDS=3600)


def test_opening_a_lesson_again_writes_nothing_and_resuming_still_works(app, signed_in):
    response, first = queries_of(app, signed_in, "/kk/learn/alpha/first")
    assert response.status_code == 200
    assert len(first.writes()) == 1  # the first visit is remembered
    assert first.commits == 1
    response, again = queries_of(app, signed_in, "/kk/learn/alpha/first")
    assert response.status_code == 200
    assert again.writes() == [], again
    assert again.commits == 0
    assert again.count == 2, again  # the signed-in user, the learner's lessons
    _, other = queries_of(app, signed_in, "/kk/learn/alpha/second")
    assert len(other.writes()) == 1
    # Back to the first: that is a change again (it is now the lesson opened last) ...
    _, back = queries_of(app, signed_in, "/kk/learn/alpha/first")
    assert len(back.writes()) == 1
    assert back.commits == 1
    # ... so "continue" leads to it, not to the second one opened before.
    home = signed_in.get("/kk/course").get_data(as_text=True)
    assert t(app, "kk", "Continue: %(title)s", title="Бірінші сабақ") in home
    assert t(app, "kk", "Continue: %(title)s", title="Екінші сабақ") not in home


@pytest.mark.parametrize("read", [(), LESSONS], ids=["nothing read", "every lesson read"])
def test_learning_pages_make_a_fixed_number_of_queries(app, signed_in, read):
    """The same bound before and after reading every lesson: a query per lesson or per
    module would break it (the fixture course has three lessons in two modules)."""
    for path in read:
        assert signed_in.post(f"/kk/learn/{path}/read").status_code == 302
    bounds = {
        # the user, the learner's lessons, the passed quizzes, the completion, and the
        # passed quizzes once more for the final exam's note
        "/kk/course": 5,
        "/kk/learn/alpha/": 5,
        "/kk/learn/beta/only": 2,  # the user, the learner's lessons
        "/kk/": 1,  # the user: the landing page shows no progress
    }
    signed_in.get("/kk/learn/beta/only")  # opened already: the count below has no write
    for path, bound in bounds.items():
        response, seen = queries_of(app, signed_in, path)
        assert response.status_code == 200, path
        assert seen.count <= bound, f"{path}:\n{seen}"
        assert seen.writes() == [], path


def test_signed_out_public_pages_make_no_query(app, client):
    for path in ("/kk/", "/ru/learn/glossary"):
        client.get(path)  # the first one may look up the editions
        response, seen = queries_of(app, client, path)
        assert response.status_code == 200
        assert seen.count == 0, f"{path}:\n{seen}"
