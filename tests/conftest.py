"""Fixtures: an app on a real database (SQLite, or PostgreSQL via TEST_DATABASE_URL),
its client and CLI runner, signed-in people, the `lang` parameter over kk and ru, and the
two fixtures more than one area uses: a certificate holder and an approved organisation.

Plain helpers live in tests/support; this file holds fixtures only."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from course import create_app
from course.core.db import db
from course.modules.organisations import services as organisations
from tests.support import factories
from tests.support.app import app_config, dispose_when_idle, empty_tables
from tests.support.certificates import signed_in_holder
from tests.support.clients import client_for, sign_in
from tests.support.organisations import application, valid_bin


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """A fresh database for the session, brought up to date by the real migrations."""
    url = os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    )
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(app_config(url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app with extra config; every app made this way starts on empty tables."""
    made = []

    def make(**extra):
        app = create_app(app_config(database_url, tmp_path / "instance", **extra))
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            dispose_when_idle(db.engine)
    if made:
        empty_tables(create_app(app_config(database_url, tmp_path / "instance")))


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def csrf_app(make_app):
    """The app with CSRF protection on, as in production."""
    return make_app(WTF_CSRF_ENABLED=True)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(params=["kk", "ru"])
def lang(request) -> str:
    return request.param


@pytest.fixture
def user(app):
    with app.app_context():
        made = factories.make_user()
        db.session.commit()
        return {"id": made.id, "email": made.email, "password": factories.PASSWORD}


@pytest.fixture
def signed_in(client, user):
    sign_in(client, user["email"], user["password"])
    return client


@pytest.fixture
def holder(app):
    """A signed-in learner who has completed the course."""
    return signed_in_holder(app)


@pytest.fixture
def org(app):
    """An approved organisation with its admin signed in."""
    head, head_id, _ = client_for(app)
    number = valid_bin("9001013")
    assert head.post("/kk/organisations/apply", data=application(number)).status_code == 302
    admin, _admin_id, _ = client_for(app, role="admin")
    with app.app_context():
        organisation_id = organisations.pending()[0].id
    assert (
        admin.post(
            "/kk/admin/organisations", data={"organisation": organisation_id, "action": "approve"}
        ).status_code
        == 302
    )
    return {"client": head, "user_id": head_id, "id": organisation_id, "admin": admin}
