"""HTTP caching (course.core.caching): content-hashed static URLs kept a year, compression
as the client accepts, pages rendered once and shared, and private ETags that never let a
304 show a stale page or someone else's."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import pytest

from course.core import caching
from course.core.db import db
from course.modules.offline.services import VERIFIER_STATIC
from tests.support import factories
from tests.support.clients import client_for, csrf_token_from
from tests.support.i18n import t

STATIC = Path(caching.__file__).resolve().parents[1] / "static"
LESSON = "/kk/learn/alpha/first"


def version_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def signed_in_with_csrf(app, **fields):
    """A client signed in through the sign-in form with its CSRF token (CSRF is on)."""
    with app.app_context():
        user = factories.make_user(**fields)
        db.session.commit()
        email = user.email
    client = app.test_client()
    token = csrf_token_from(client.get("/kk/sign-in").get_data(as_text=True))
    response = client.post(
        "/kk/sign-in",
        data={"email": email, "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    return client


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value="…"', html)


# ---------------------------------------------------------------- static files


def test_static_urls_carry_the_files_hash_and_are_kept_a_year(client):
    page = client.get("/kk/").get_data(as_text=True)
    css = f"/static/course.css?v={version_of(STATIC / 'course.css')}"
    assert f'href="{css}"' in page
    with client.get(css) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    check = client.get("/kk/check").get_data(as_text=True)
    module = f"/offline/static/check.js?v={version_of(VERIFIER_STATIC / 'check.js')}"
    assert f'src="{module}"' in check
    with client.get(module) as response:
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("query", ["", "?v=0123456789abcdef"], ids=["no hash", "an old hash"])
def test_a_static_url_without_the_current_hash_is_revalidated(client, query):
    with client.get(f"/static/course.css{query}") as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-cache"
        etag = response.headers["ETag"]
    with client.get(f"/static/course.css{query}", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304


# ---------------------------------------------------------------- compression


def test_pages_are_compressed_when_the_client_accepts_gzip(client):
    plain = client.get("/kk/")
    packed = client.get("/kk/", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2


@pytest.mark.parametrize("path", ["/healthz", "/kk/pocket.pdf", "/static/icons/verifier-192.png"])
def test_small_or_already_compressed_responses_are_sent_as_they_are(client, path):
    with client.get(path, headers={"Accept-Encoding": "gzip, br, zstd"}) as response:
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers


def test_a_compressed_file_has_its_own_etag(client):
    with client.get("/static/course.css", headers={"Accept-Encoding": "gzip"}) as packed:
        assert packed.headers["Content-Encoding"] == "gzip"
        etag = packed.headers["ETag"]
    assert etag.endswith(':gzip"')
    with client.get(
        "/static/course.css", headers={"Accept-Encoding": "gzip", "If-None-Match": etag}
    ) as again:
        assert again.status_code == 304
    # Without gzip the plain file is another representation: no 304 on the gzip validator.
    with client.get("/static/course.css", headers={"If-None-Match": etag}) as plain:
        assert plain.status_code == 200
        assert plain.data == (STATIC / "course.css").read_bytes()


def test_a_page_sent_in_pieces_is_not_compressed(app, org):
    response = org["client"].post(
        "/kk/organisation/verify",
        data={"codes": "ABCD-EFGH-JKMN-P", "format": "html"},
        headers={"Accept-Encoding": "gzip, br, zstd"},
    )
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert t(app, "kk", "Checked %(done)s of %(total)s.", done=1, total=1) in response.get_data(
        as_text=True
    )


# ---------------------------------------------------------------- shared pages


def test_a_kept_lesson_page_is_the_same_for_two_learners_but_for_their_own_csrf_token(
    csrf_app,
):
    """The kept page shows nothing of the person but the role (no name, no e-mail): if a
    template ever adds something personal, this test shows it, since the page is shared."""
    first = signed_in_with_csrf(csrf_app, full_name="Бірінші Оқушы")
    second = signed_in_with_csrf(csrf_app, full_name="Екінші Оқушы")
    pages = [c.get(LESSON).get_data(as_text=True) for c in (first, second)]
    assert without_tokens(pages[0]) == without_tokens(pages[1])
    assert "Оқушы" not in pages[0]
    tokens = [csrf_token_from(page) for page in pages]
    assert tokens[0] != tokens[1]
    # Each page's token is its own session's: the other one is refused.
    assert second.post(f"{LESSON}/read", data={"csrf_token": tokens[0]}).status_code == 400
    assert second.post(f"{LESSON}/read", data={"csrf_token": tokens[1]}).status_code == 302
    read = second.get(LESSON).get_data(as_text=True)
    assert t(csrf_app, "kk", "You have read this lesson.") in read
    unread = first.get(LESSON).get_data(as_text=True)
    assert t(csrf_app, "kk", "You have read this lesson.") not in unread


def test_a_page_with_a_message_is_neither_kept_nor_given_an_etag(signed_in):
    signed_in.get(LESSON)
    with signed_in.session_transaction() as session:
        session["_flashes"] = [("success", "Сақталды.")]
    flashed = signed_in.get(LESSON)
    assert "Сақталды." in flashed.get_data(as_text=True)
    assert "ETag" not in flashed.headers
    after = signed_in.get(LESSON)
    assert "Сақталды." not in after.get_data(as_text=True)
    assert after.headers["ETag"]


def test_the_landing_page_is_kept_apart_for_visitors_and_the_signed_in(app, signed_in):
    visitor = app.test_client()
    assert t(app, "kk", "Start the course") in visitor.get("/kk/").get_data(as_text=True)
    learner = signed_in.get("/kk/").get_data(as_text=True)
    assert t(app, "kk", "Go to my course") in learner
    assert t(app, "kk", "Start the course") not in learner
    assert t(app, "kk", "Go to my course") not in visitor.get("/kk/").get_data(as_text=True)


# ---------------------------------------------------------------- private ETags


def test_a_lesson_answers_304_only_for_the_very_page_the_browser_has(app, signed_in):
    page = signed_in.get(LESSON)
    assert page.headers["Cache-Control"] == "private, no-cache"
    etag = page.headers["ETag"]
    kept = signed_in.get(LESSON, headers={"If-None-Match": etag})
    assert kept.status_code == 304
    assert kept.data == b""
    assert kept.headers["ETag"] == etag
    # Another person with the same validator gets their own page.
    other, _id, _ = client_for(app)
    assert other.get(LESSON, headers={"If-None-Match": etag}).status_code == 200
    # The other language is another page.
    assert signed_in.get("/ru/learn/alpha/first", headers={"If-None-Match": etag}).status_code == (
        200
    )
    # Progress shown on the page changed: a new page.
    signed_in.post(f"{LESSON}/read")
    after = signed_in.get(LESSON, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["ETag"] != etag
    assert t(app, "kk", "You have read this lesson.") in after.get_data(as_text=True)


def test_the_etag_changes_before_the_pages_csrf_token_grows_old(app, signed_in, monkeypatch):
    etag = signed_in.get(LESSON).headers["ETag"]
    assert signed_in.get(LESSON, headers={"If-None-Match": etag}).status_code == 304
    later = caching.time.time() + app.config["WTF_CSRF_TIME_LIMIT"] / 4 + 1
    monkeypatch.setattr(caching.time, "time", lambda: later)
    fresh = signed_in.get(LESSON, headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert fresh.headers["ETag"] != etag


def test_a_compressed_lesson_is_revalidated_with_its_compressed_etag(signed_in):
    packed = signed_in.get(LESSON, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    etag = packed.headers["ETag"]
    assert etag.endswith(':gzip"')
    again = signed_in.get(LESSON, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304
