"""The database going away in the middle of a request, on PostgreSQL (through a proxy the
test cuts): the request answers its 503 (or the answer it had made), never a 500.

A worker checks for new editions from inside any request and, when the database does not
answer, goes on with the editions it knew; that check must not break the request's own
transaction (on PostgreSQL its next query would fail with "rollback first", a 500 seen
once in CI on the verification page). Closing the session at the end of a request whose
connection dropped must not fail the request either."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from course import create_app
from course.core.content.published import editions
from course.core.db import db
from course.modules.certificates import codes
from tests.support.app import app_config
from tests.support.proxy import CuttableProxy


@pytest.fixture
def proxied_app(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("a database server to cut away: PostgreSQL")
    url = make_url(database_url)
    proxy = CuttableProxy(url.port or 5432)
    proxied = url.set(port=proxy.port).render_as_string(hide_password=False)
    app = create_app(app_config(proxied, tmp_path / "instance"))
    try:
        yield app, proxy
    finally:
        proxy.cut()
        with app.app_context():
            db.engine.dispose()


def test_the_verification_page_answers_503_while_the_database_is_away(proxied_app):
    app, proxy = proxied_app
    client = app.test_client()
    page = f"/kk/verify/{codes.display(codes.new_code())}"
    assert client.get(page).status_code == 404  # no such certificate: the page works
    proxy.cut()
    # Past the editions' check interval, so this request asks the database for them first.
    time.sleep(1.2)
    try:
        for _ in range(3):
            response = client.get(page)
            assert response.status_code == 503, response.get_data(as_text=True)[:300]
            assert response.headers["Retry-After"]
    finally:
        proxy.restore()
    time.sleep(1.2)
    assert client.get(page).status_code == 404


def test_a_failed_check_for_editions_leaves_the_requests_transaction_usable(proxied_app):
    app, proxy = proxied_app
    with app.test_request_context("/kk/"):
        # The request holds a connection already when the database goes away mid-request.
        assert db.session.execute(select(1)).scalar() == 1
        proxy.cut()
        try:
            time.sleep(1.2)
            known = editions().superseding_edition()  # the check fails; what was known stands
            assert known is None
            # The request's next query fails as the database being away (a 503), not as a
            # transaction that must be rolled back first (a 500).
            with pytest.raises(OperationalError):
                db.session.execute(select(1))
        finally:
            proxy.restore()
        db.session.rollback()
        assert db.session.execute(select(1)).scalar() == 1


def test_a_database_gone_after_the_answer_was_made_does_not_fail_the_answer(proxied_app):
    app, proxy = proxied_app

    @app.get("/kk/answered-then-cut")
    def answered_then_cut():
        # A query opens the request's transaction; the database goes before it ends, so
        # closing the session at the end of the request finds the connection dropped.
        db.session.execute(select(1))
        proxy.cut()
        return "answered"

    try:
        response = app.test_client().get("/kk/answered-then-cut")
    finally:
        proxy.restore()
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "answered"
    with app.app_context():
        assert db.session.execute(select(1)).scalar() == 1
