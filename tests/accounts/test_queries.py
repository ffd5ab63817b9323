"""The signed-in user and the session-token check cost one query per request, whatever the
page does after (a commit included), and a session whose token was changed gets nothing."""

from __future__ import annotations

import pytest

from course.core.db import db
from course.modules.accounts import services
from tests.support.queries import queries_of


@pytest.fixture
def app(make_app):
    # The check for newly published editions (one small query a second) stays out.
    return make_app(EDITIONS_CHECK_SECONDS=3600)


def test_the_signed_in_user_is_loaded_once_per_request(app, signed_in):
    pages = [
        ("GET", "/kk/learn/alpha/first", {}),  # the first visit: written and committed
        ("GET", "/kk/learn/alpha/first", {}),
        ("POST", "/kk/learn/alpha/first/read", {}),  # committed, then a redirect
        ("GET", "/kk/course", {}),
        ("GET", "/kk/verify", {}),
        ("GET", "/kk/account", {}),
    ]
    for method, path, data in pages:
        response, seen = queries_of(app, signed_in, path, method, data=data)
        assert response.status_code in (200, 302), path
        assert len(seen.on("users")) == 1, f"{method} {path}:\n{seen}"


def test_a_session_whose_token_changed_is_signed_out_after_one_query(app, signed_in, user):
    with app.app_context():
        services.sign_out(services.get_user(user["id"]))  # e.g. "sign out everywhere"
        db.session.commit()
    response, seen = queries_of(app, signed_in, "/kk/course")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]
    assert len(seen.on("users")) == 1, seen
