"""Fixtures: an app on a real database (SQLite, or PostgreSQL via TEST_DATABASE_URL),
its client and CLI runner, sign-in helpers, and the `lang` parameter over kk and ru."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from course import create_app
from course.core.db import db
from tests import factories

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
SECRET = "test-secret-" + "x" * 40


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
    app = create_app(_config(url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    return url


def _config(url: str, instance: Path, **extra) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": SECRET,
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": str(instance),
        "CONTENT_DIR": str(FIXTURE_CONTENT),
        "DATABASE_BUSY_TIMEOUT": 0.5,
        # Most tests post forms directly; tests/core/test_csrf.py runs with it on.
        "WTF_CSRF_ENABLED": False,
    }
    config.update(extra)
    return config


def _empty_tables(app) -> None:
    with app.app_context():
        tables = [
            t for t in reversed(db.metadata.sorted_tables) if inspect(db.engine).has_table(t.name)
        ]
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app with extra config; every app made this way starts on empty tables."""
    made = []

    def make(**extra):
        app = create_app(_config(database_url, tmp_path / "instance", **extra))
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()
    if made:
        _empty_tables(create_app(_config(database_url, tmp_path / "instance")))


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


def sign_in(client, email: str, password: str, lang: str = "kk"):
    return client.post(
        f"/{lang}/sign-in", data={"email": email, "password": password}, follow_redirects=False
    )


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="(?:[\w-]+-)?csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def html_lang(html: str) -> str:
    match = re.search(r'<html lang="([a-z]+)"', html)
    assert match
    return match.group(1)
