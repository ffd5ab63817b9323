"""Caching: content-hashed static URLs with a year's lifetime, pages rendered once and
shared, ETags and 304s for pages that depend on who is signed in, and compression.

- Static files: `url_for('static', …)` (and any blueprint's static endpoint, the offline
  verifier's included) carries `?v=<hash of the file>`, computed once per file and
  process. A request with the file's current hash is answered with
  `Cache-Control: public, max-age=31536000, immutable`; any other (no hash, an old one)
  with `no-cache`: kept, but revalidated each time (an ETag, so a 304), because the
  verifier's ES modules import each other by their plain names and must never mix two
  versions.
- Shared pages (`shared_page`): a page that looks the same to everyone of a role in a
  language (the landing page, a lesson for those who have or have not read it) is
  rendered once per worker and kept; only the session's CSRF token is put in per request.
- Private pages (`private_page`): the view names what its page shows (the lesson, the
  edition, the learner's progress on it); every page also shows the code and templates
  it was made with, its language, the signed-in user's id and role, and the session's
  CSRF token. Their hash is the ETag; `Cache-Control: private, no-cache` makes the
  browser (never a shared cache) ask each time, and a matching If-None-Match gets a 304
  without rendering anything. A page rendered with flashed messages gets no ETag, since
  a later 304 would show the message again, and is never kept.
- Compression (Flask-Compress): zstd, brotli or gzip as the client accepts, for text
  types over COMPRESS_MIN_SIZE; PDFs, images and fonts already compressed are left
  alone; static files are compressed as they are read, but pages sent in pieces (bulk
  verification) are not, so that their progress lines arrive as they are made.
  Flask-Compress appends the encoding to a strong ETag (`"…:gzip"`), so the compressed
  and the plain page never share a validator.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from flask import Flask, current_app, g, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

from course.config import PROJECT_ROOT

# Stands for the CSRF token in a kept page (random per process, so no page can contain it).
CSRF_SLOT = "csrf-slot-" + secrets.token_hex(16)
PAGES_KEPT = 512  # pages kept per worker (~10 MB): every lesson in both languages, read or not
CSRF_REUSE_SECONDS = 60
TOKENS_KEPT = 10_000  # sessions whose signed CSRF token is kept (a few MB)
YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={YEAR}, immutable"
REVALIDATE = "no-cache"
PRIVATE = "private, no-cache"
VERSION_ARG = "v"
# Whatever a page is made of besides its data: a change to any of these is a new page.
_BUILD_SUFFIXES = frozenset({".py", ".html", ".js", ".css", ".mo", ".json", ".jsonld"})


def _is_static(endpoint: str | None) -> bool:
    return endpoint is not None and (endpoint == "static" or endpoint.endswith(".static"))


def _static_folder(app: Flask, endpoint: str) -> str | None:
    if endpoint == "static":
        return app.static_folder
    blueprint = app.blueprints.get(endpoint.rpartition(".")[0])
    return blueprint.static_folder if blueprint else None


def static_version(app: Flask, endpoint: str, filename: str) -> str | None:
    """The first 16 hex digits of the file's SHA-256 (None when there is no such file),
    computed once per file and process (again on each change in debug mode). Only files
    that exist are remembered, so asking for made-up names fills nothing."""
    versions: dict = app.extensions.setdefault("course.static_versions", {})
    key: tuple = (endpoint, filename)
    if not app.debug and key in versions:
        return versions[key]
    folder = _static_folder(app, endpoint)
    path = safe_join(folder, filename) if folder else None
    if path is None:
        return None
    try:
        if app.debug:
            key += (Path(path).stat().st_mtime_ns,)
        if key not in versions:
            versions[key] = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    except OSError:
        return None
    return versions[key]


def build_fingerprint(app: Flask) -> str:
    """A hash of the app's code, templates, static files and compiled translations, made
    once per process: pages made by another version never match an ETag of this one."""
    found = app.extensions.get("course.build_fingerprint")
    if found is None:
        digest = hashlib.sha256()
        roots = (Path(__file__).resolve().parents[1], Path(app.config["TRANSLATIONS_DIR"]))
        for root in roots:
            for path in sorted(root.rglob("*")):
                if path.suffix in _BUILD_SUFFIXES and "__pycache__" not in path.parts:
                    digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
                    digest.update(path.read_bytes())
        found = app.extensions["course.build_fingerprint"] = digest.hexdigest()[:16]
    return found


def digest(*texts: str) -> str:
    """A short hash of some text the page shows (a lesson's body, say)."""
    h = hashlib.blake2b(digest_size=12)
    for text in texts:
        h.update(text.encode())
        h.update(b"\0")
    return h.hexdigest()


def _csrf_part() -> str | None:
    """What the page's CSRF token depends on: the session's raw token, and the period in
    which it was signed. The signed token embedded in a page carries its signing time; a
    304 keeps the browser's older page, so the ETag changes every quarter of the token's
    lifetime (an hour by default): a kept page's token always has most of its life left.
    None while the session has no token: the page about to be made will be the first."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    raw = session.get(field)
    if not isinstance(raw, str):
        return None
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT")
    period = int(time.time() // max(1, limit // 4)) if limit else 0
    return f"{hashlib.sha256(raw.encode()).hexdigest()[:16]}.{period}"


def _private_tag(parts: Iterable[object]) -> str | None:
    csrf = _csrf_part()
    if csrf is None:
        return None
    user = (current_user.id, current_user.role) if current_user.is_authenticated else None
    values = (build_fingerprint(current_app), g.get("lang"), user, csrf, *parts)
    return digest(repr(values))


def _flashes_pending() -> bool:
    return bool(session.get("_flashes"))


def _matches(tag: str) -> bool:
    """If-None-Match names this tag, as sent or as compressed (`tag:gzip`, see above)."""
    wanted = request.if_none_match
    if not wanted:
        return False
    if wanted.contains(tag):
        return True
    return any(wanted.contains(f"{tag}:{coding}") for coding in request.accept_encodings.values())


def _csrf_field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def _page_key(parts: tuple) -> tuple | None:
    """Under which key a page may be kept and shared, or None when it may not: only a
    plain GET (no query string, which the language links repeat) with no message waiting."""
    if request.method != "GET" or request.query_string or _flashes_pending():
        return None
    user = ("signed in", current_user.role) if current_user.is_authenticated else None
    where = (request.host, request.script_root, request.path)
    return (build_fingerprint(current_app), g.get("lang"), where, user, *parts)


def shared_page(render: Callable[[], str], *parts: object) -> str:
    """The page `render()` makes, rendered once per worker and kept for everyone it looks
    the same to: the same code, language, address and role (or signed out), and the same
    `parts` (what the page shows besides: the edition, the learner's progress on it …).
    So a page given to this must show nothing else of the person: no name, no e-mail
    (tests/core/test_caching.py renders pages for two people and compares them). The
    CSRF token, which is the session's own, goes in per request: the kept page has a
    placeholder where the token goes."""
    key = _page_key(parts)
    if key is None:
        return render()
    pages: dict = current_app.extensions.setdefault("course.pages", {})
    page = pages.get(key)
    if page is None:
        field = _csrf_field()
        setattr(g, field, CSRF_SLOT)  # what Flask-WTF's csrf_token() returns meanwhile
        try:
            page = render()
        finally:
            g.pop(field, None)
        if len(pages) >= PAGES_KEPT:
            pages.clear()  # pages come and go with editions; start again
        pages[key] = page
    if CSRF_SLOT in page:
        page = page.replace(CSRF_SLOT, _signed_csrf_token())
    return page


def _signed_csrf_token() -> str:
    """The session's CSRF token as Flask-WTF signs it, reusing the one signed for the same
    session in the last CSRF_REUSE_SECONDS (signing costs more than the rest of serving a
    kept page). A token's lifetime counts from its signing, so the page's token has all but
    a minute of its four hours left."""
    field = _csrf_field()
    if field in g:
        return g.get(field)
    signed: dict = current_app.extensions.setdefault("course.csrf_tokens", {})
    raw = session.get(field)
    now = time.monotonic()
    kept = signed.get(raw) if isinstance(raw, str) else None
    if kept is not None and now - kept[0] < CSRF_REUSE_SECONDS:
        setattr(g, field, kept[1])
        return kept[1]
    token = generate_csrf()
    if len(signed) >= TOKENS_KEPT:
        signed.clear()
    signed[session[field]] = (now, token)
    return token


def private_page(render: Callable[[], str], *parts: object) -> Response:
    """The page `render()` makes (through `shared_page`: `parts` are what it shows beyond
    what every page shows, see above), with a private ETag, or a 304 when the browser's
    copy is this very page."""
    if request.if_none_match and not _flashes_pending():
        tag = _private_tag(parts)
        if tag is not None and _matches(tag):
            response = current_app.response_class(status=304)
            response.set_etag(tag)
            response.headers["Cache-Control"] = PRIVATE
            return response
    flashed = _flashes_pending()
    response = make_response(shared_page(render, *parts))
    response.headers["Cache-Control"] = PRIVATE
    if not flashed:  # a page with a message must not come back from a 304
        tag = _private_tag(parts)  # the token exists now, if rendering made it
        if tag is not None:
            response.set_etag(tag)
    return response


def conditional(response: Response) -> Response:
    """A public document with an ETag of its body, and a 304 when the client has it."""
    response.add_etag()
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    from course.extensions import compress

    compress.init_app(app)  # COMPRESS_REGISTER is off: compress_response decides

    @app.after_request
    def compress_response(response):
        if response.is_streamed:
            if not _is_static(request.endpoint):
                return response  # a page sent in pieces: each must leave as it is made
            if request.accept_encodings and response.mimetype in compress.compress_mimetypes_set:
                # A static file to compress: read whole (they are small) and closed now.
                # (Flask-Compress's streamed path would leave the file open.)
                body = b"".join(response.iter_encoded())
                response.close()
                response.set_data(body)
        return compress.after_request(response)

    @app.url_defaults
    def add_static_version(endpoint, values):
        if _is_static(endpoint) and VERSION_ARG not in values and "filename" in values:
            version = static_version(app, endpoint, values["filename"])
            if version is not None:
                values[VERSION_ARG] = version

    @app.after_request
    def static_lifetime(response):
        endpoint = request.endpoint
        if not _is_static(endpoint) or response.status_code not in (200, 304):
            return response
        filename = (request.view_args or {}).get("filename", "")
        asked = request.args.get(VERSION_ARG)
        current = static_version(app, endpoint, filename) if asked else None
        response.headers["Cache-Control"] = (
            IMMUTABLE if asked is not None and asked == current else REVALIDATE
        )
        response.expires = None
        return response
