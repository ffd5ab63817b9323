"""`/` chooses a language; `/healthz` reports the database."""

from __future__ import annotations

import pytest

from tests.support.clients import sign_in


@pytest.mark.parametrize(
    ("headers", "cookie", "expected"),
    [
        ({}, None, "/kk/"),
        ({"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}, None, "/ru/"),
        ({"Accept-Language": "kk-KZ,ru;q=0.5"}, None, "/kk/"),
        ({"Accept-Language": "en-US,de;q=0.5"}, None, "/kk/"),
        ({"Accept-Language": "kk"}, "ru", "/ru/"),
    ],
)
def test_root_picks_cookie_then_accept_language_then_kazakh(client, headers, cookie, expected):
    if cookie:
        client.set_cookie("lang", cookie)
    response = client.get("/", headers=headers)
    assert response.status_code == 302
    assert response.headers["Location"] == expected
    assert "Accept-Language" in response.headers["Vary"]


def test_root_prefers_the_signed_in_users_saved_language(client, user):
    sign_in(client, user["email"], user["password"], "ru")  # the user saved kk
    client.set_cookie("lang", "ru")
    assert client.get("/", headers={"Accept-Language": "ru"}).headers["Location"] == "/kk/"


def test_visiting_a_language_remembers_it(client):
    client.get("/ru/")
    assert client.get_cookie("lang").value == "ru"
    assert client.get("/").headers["Location"] == "/ru/"


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "edition": 3}


def test_healthz_503_when_the_database_does_not_answer(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/db.sqlite")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unavailable"
