"""Authoring tests edit a copy of the fixture course, never the committed one."""

from __future__ import annotations

import shutil

import pytest

from course.core.db import db
from tests import factories
from tests.conftest import FIXTURE_CONTENT, sign_in


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    return root


@pytest.fixture
def app(make_app, content):
    return make_app(CONTENT_DIR=str(content))


def make_person(app, role: str) -> dict:
    with app.app_context():
        made = factories.make_user(role=role, full_name="Гүлнар Серікқызы Әлиева")
        db.session.commit()
        return {"id": made.id, "email": made.email, "password": factories.PASSWORD}


@pytest.fixture
def trainer(app):
    return make_person(app, "trainer")


@pytest.fixture
def trainer_client(app, trainer):
    client = app.test_client()
    sign_in(client, trainer["email"], trainer["password"])
    return client


def client_as(app, role: str):
    """A test client signed in as a new person with this role."""
    person = make_person(app, role)
    client = app.test_client()
    sign_in(client, person["email"], person["password"])
    return client
