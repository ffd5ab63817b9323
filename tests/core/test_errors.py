"""Bad requests get a clear page in the page's language and a 4xx; never a stack trace."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy import exc as sqlalchemy_exc

from course.modules.accounts import services
from tests.support.clients import csrf_token_from
from tests.support.i18n import html_lang, t
from tests.support.mail import link_path, outbox


def test_404_page_is_in_the_language_of_the_url(app, client, lang):
    response = client.get(f"/{lang}/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert html_lang(html) == lang
    assert t(app, lang, "Page not found") in html


def test_404_outside_the_language_tree_follows_accept_language(client):
    response = client.get("/nowhere", headers={"Accept-Language": "ru"})
    assert response.status_code == 404
    assert html_lang(response.get_data(as_text=True)) == "ru"


def test_405_is_translated(app, client, lang):
    response = client.delete(f"/{lang}/register")
    assert response.status_code == 405
    assert t(app, lang, "Method not allowed") in response.get_data(as_text=True)


def test_oversized_body_is_413(app, client, lang):
    response = client.post(f"/{lang}/register", data={"full_name": "x" * 300_000})
    assert response.status_code == 413
    assert t(app, lang, "Request too large") in response.get_data(as_text=True)


def test_unexpected_error_is_a_translated_500_without_a_traceback(make_app, lang):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/<any(kk, ru):lang>/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get(f"/{lang}/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "secret internals" not in html
    assert "Traceback" not in html
    assert t(app, lang, "Something went wrong") in html


@pytest.mark.parametrize(
    "error",
    [
        sqlalchemy_exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached"),
        sqlalchemy_exc.InterfaceError(
            "SELECT 1", None, Exception("the connection is closed"), connection_invalidated=True
        ),
    ],
    ids=["pool-exhausted", "connection-lost"],
)
def test_a_database_that_does_not_answer_is_a_503_not_a_500(make_app, lang, error):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/<any(kk, ru):lang>/away")
    def away():
        raise error

    response = app.test_client().get(f"/{lang}/away")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert html_lang(response.get_data(as_text=True)) == lang


def test_json_errors_under_api(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.json["error"]["status"] == 404


@contextmanager
def _write_lock_held(database_url: str):
    """Another client holding the lock a registration needs, as a busy writer would."""
    if database_url.startswith("sqlite"):
        blocker = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            blocker.rollback()
            blocker.close()
        return
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn, conn.begin():
            conn.execute(text("LOCK TABLE users IN ACCESS EXCLUSIVE MODE"))
            yield
    finally:
        engine.dispose()


def test_locked_database_is_503_not_500(make_app, database_url, lang):
    app = make_app(DATABASE_BUSY_TIMEOUT=0.2)
    with _write_lock_held(database_url):
        response = app.test_client().post(
            f"/{lang}/register",
            data={
                "full_name": "Бауыржан Момышұлы",
                "email": "locked@example.kz",
                "password": "a long password",
                "confirm": "a long password",
                "consent": "y",
            },
        )
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert t(app, lang, "Service busy") in response.get_data(as_text=True)
    with app.app_context():
        assert services.count_users() == 0


# ---------------------------------------------------------------- CSRF on every form


STATE_CHANGING_FORMS = [
    (
        "/register",
        {
            "full_name": "Иван Петров",
            "email": "x@example.kz",
            "password": "a long password",
            "confirm": "a long password",
            "consent": "y",
        },
    ),
    ("/sign-in", {"email": "x@example.kz", "password": "a long password"}),
    ("/password/forgot", {"email": "x@example.kz"}),
    ("/sign-out", {}),
]


@pytest.mark.parametrize(("path", "data"), STATE_CHANGING_FORMS)
@pytest.mark.parametrize("token", [None, "forged-token"])
def test_missing_or_forged_csrf_token_is_refused(csrf_app, lang, path, data, token):
    client = csrf_app.test_client()
    if token:
        data = {**data, "csrf_token": token}
    response = client.post(f"/{lang}{path}", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert html_lang(html) == lang
    message = "The form has expired or did not come from this site. Please fill it in again."
    assert t(csrf_app, lang, message) in html
    with csrf_app.app_context():
        assert services.count_users() == 0


def test_a_real_csrf_token_is_accepted(csrf_app, lang):
    client = csrf_app.test_client()
    token = csrf_token_from(client.get(f"/{lang}/register").get_data(as_text=True))
    response = client.post(
        f"/{lang}/register",
        data={
            "csrf_token": token,
            "full_name": "Иван Петров",
            "email": "csrf@example.kz",
            "password": "a long password",
            "confirm": "a long password",
            "consent": "y",
        },
    )
    assert response.status_code == 200
    confirm = link_path(outbox(csrf_app)[-1])
    assert client.post(confirm).status_code == 400  # the confirmation is a form too
    page_token = csrf_token_from(client.get(confirm).get_data(as_text=True))
    assert client.post(confirm, data={"csrf_token": page_token}).status_code == 302
    token = csrf_token_from(client.get(f"/{lang}/learn/alpha/first").get_data(as_text=True))
    assert token != page_token  # a token seen before sign-in does not carry over
    assert client.post(f"/{lang}/learn/alpha/first/read").status_code == 400
    assert (
        client.post(f"/{lang}/learn/alpha/first/read", data={"csrf_token": token}).status_code
        == 302
    )


def test_nul_bytes_in_a_form_are_a_400_not_a_500(app, client, lang):
    response = client.post(
        f"/{lang}/register",
        data={
            "full_name": "Иван\x00Петров",
            "email": "nul@example.kz",
            "password": "a long password",
            "confirm": "a long password",
            "consent": "y",
        },
    )
    assert response.status_code == 400
    with app.app_context():
        assert services.count_users() == 0
