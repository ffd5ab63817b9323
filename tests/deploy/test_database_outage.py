"""The database goes away for a few seconds under load, and comes back: `course serve`
answers a translated 503 with Retry-After meanwhile (JSON on the API), never a 500, and
serves again by itself once the database is back, without a restart.

On PostgreSQL the server reaches the database through a proxy the test cuts (to the app,
a database server stopped or restarted looks the same: connections dropped, new ones
refused). SQLite has no server to stop; there the fault is a writer holding the
database's lock for longer than the app waits for it."""

from __future__ import annotations

import html
import sqlite3
import threading
import time
from datetime import UTC, datetime

import pytest
import requests
from sqlalchemy.engine import make_url

from course import create_app
from course.core.db import db
from course.modules.certificates import keys
from course.modules.certificates import services as certificates
from tests.support import factories
from tests.support.app import FIXTURE_CONTENT, SECRET, app_config, empty_tables
from tests.support.certificates import complete_course
from tests.support.clients import csrf_token_from
from tests.support.i18n import t
from tests.support.proxy import CuttableProxy
from tests.support.servers import AppServer, signed_in

pytestmark = pytest.mark.slow

BASE_URL = "http://127.0.0.1:8000"
OK = {200, 302, 303}
BUSY = "The service is busy or unavailable. Please try again in a few seconds."


@pytest.fixture
def outage(database_url, tmp_path):
    """A server (two workers) and the way to take its database away and back."""
    keys_dir = tmp_path / "keys"
    keys.Keyring(keys_dir).init(datetime.now(UTC), BASE_URL)
    proxy = None
    served_url = database_url
    if database_url.startswith("postgresql"):
        url = make_url(database_url)
        proxy = CuttableProxy(url.port or 5432)
        served_url = url.set(port=proxy.port).render_as_string(hide_password=False)
    server = AppServer(
        "outage",
        tmp_path,
        {
            "DATABASE_URL": served_url,
            "SECRET_KEY": SECRET,
            "COURSE_KEYS_DIR": str(keys_dir),
            "COURSE_BASE_URL": BASE_URL,
            "COURSE_INSTANCE": str(tmp_path / "instance-outage"),
            "COURSE_CONTENT": str(FIXTURE_CONTENT),
            "VERIFY_RATE_LIMIT": "100000 per minute",
            "SIGN_IN_RATE_LIMIT": "100000 per minute",
        },
        workers=2,
    )
    app = create_app(app_config(database_url, tmp_path / "instance-test", KEYS_DIR=str(keys_dir)))
    try:
        assert server.wait_until_up()["database"] == "ok"
        yield {"app": app, "server": server, "proxy": proxy, "url": database_url}
    finally:
        server.stop()
        if proxy is not None:
            proxy.cut()
        with app.app_context():
            db.engine.dispose()
        empty_tables(app)


class _Fault:
    """Takes the database away: the proxy cut, or SQLite's write lock held."""

    def __init__(self, outage: dict):
        self.proxy, self.url = outage["proxy"], outage["url"]
        self._lock: sqlite3.Connection | None = None

    def start(self) -> None:
        if self.proxy is not None:
            self.proxy.cut()
            return
        self._lock = sqlite3.connect(make_url(self.url).database, isolation_level=None)
        self._lock.execute("BEGIN EXCLUSIVE")  # in WAL mode: readers go on, writers wait

    def end(self) -> None:
        if self.proxy is not None:
            self.proxy.restore()
            return
        self._lock.rollback()
        self._lock.close()


def test_the_database_away_for_seconds_gives_503s_then_the_server_recovers_by_itself(outage):
    app, server = outage["app"], outage["server"]
    with app.app_context():
        holder_id = complete_course()
        code = certificates.current_certificate(holder_id).code
        reader = factories.make_user()
        db.session.commit()
        reader_email = reader.email
    lesson = signed_in(server, reader_email, lang="ru")
    # A lesson (a signed-in read), marking it read (a write) and the API, in both languages.
    probes = [
        ("GET", "/ru/learn/alpha/first", lesson, "ru"),
        ("POST", "/kk/learn/alpha/second/read", lesson, "kk"),
        ("GET", f"/kk/verify/{code}", requests.Session(), "kk"),
        ("GET", f"/api/v1/certificates/{code}", requests.Session(), None),
    ]
    token = csrf_token_from(lesson.get(f"{server.url}/kk/learn/alpha/second", timeout=30).text)
    seen: list[tuple[float, str, int, str | None, str]] = []
    stop = threading.Event()

    def load(probe) -> None:
        method, path, session, _lang = probe
        while not stop.is_set():
            try:
                response = session.request(
                    method,
                    f"{server.url}{path}",
                    data={"csrf_token": token} if method == "POST" else None,
                    allow_redirects=False,
                    timeout=30,
                )
                seen.append(
                    (
                        time.monotonic(),
                        path,
                        response.status_code,
                        response.headers.get("Retry-After"),
                        response.text,
                    )
                )
            except requests.RequestException as e:  # a failure the test reports below
                seen.append((time.monotonic(), path, -1, None, repr(e)))
            time.sleep(0.02)

    threads = [threading.Thread(target=load, args=(p,)) for p in probes]
    for thread in threads:
        thread.start()
    fault = _Fault(outage)
    try:
        time.sleep(1.5)
        cut_at = time.monotonic()
        fault.start()
        # Longer than the app waits for SQLite's lock (DATABASE_BUSY_TIMEOUT, 5 s).
        time.sleep(7 if outage["proxy"] is None else 4)
    finally:
        fault.end()
    back_at = time.monotonic()
    time.sleep(8)
    stop.set()
    for thread in threads:
        thread.join(60)

    failed = sorted({(p, s) for _, p, s, _, _ in seen if s not in OK | {503}})
    # Never a 500, never a dropped connection.
    assert not failed, (failed, server.log.read_text(errors="replace")[-6000:])
    down = [x for x in seen if x[2] == 503]
    assert down, "the fault was not seen"
    assert all(cut_at <= at <= back_at + 6 for at, *_ in down)
    for _, path, _, retry_after, body in down:
        assert retry_after is not None
        assert int(retry_after) > 0
        if path.startswith("/api/"):
            assert '"status": 503' in body.replace('":503', '": 503')
        else:
            lang = path.split("/")[1]
            assert f'<html lang="{lang}"' in body
            assert t(app, lang, BUSY) in html.unescape(body)
    # Back by itself: within a few seconds every probe answers again, to the end.
    settled = back_at + 5
    after = [x for x in seen if x[0] > settled]
    assert after, "nothing was asked after the database came back"
    assert {s for _, _, s, _, _ in after} <= OK, sorted({s for _, _, s, _, _ in after})
    assert {p for _, p, _, _, _ in after} == {p[1] for p in probes}
    assert server.process.poll() is None  # the same server, never restarted
    assert "Internal Server Error" not in server.log.read_text(errors="replace")
