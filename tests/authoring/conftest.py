"""Authoring tests edit a copy of the fixture course, never the committed one."""

from __future__ import annotations

import shutil

import pytest

from tests.support.app import FIXTURE_CONTENT
from tests.support.authoring import make_person
from tests.support.clients import sign_in


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    return root


@pytest.fixture
def app(make_app, content):
    return make_app(CONTENT_DIR=str(content))


@pytest.fixture
def trainer(app):
    return make_person(app, "trainer")


@pytest.fixture
def trainer_client(app, trainer):
    client = app.test_client()
    sign_in(client, trainer["email"], trainer["password"])
    return client
