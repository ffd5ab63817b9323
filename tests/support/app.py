"""The app under test: the fixture course, the test secret, a test config, empty tables."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import inspect

from course.core.db import db

FIXTURE_CONTENT = Path(__file__).parent.parent / "fixtures" / "content"
SECRET = "test-secret-" + "x" * 40


def app_config(url: str, instance: Path, **extra) -> dict:
    """The config of a test app on the database at url, with extra settings on top."""
    config = {
        "TESTING": True,
        "SECRET_KEY": SECRET,
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": str(instance),
        "CONTENT_DIR": str(FIXTURE_CONTENT),
        "DATABASE_BUSY_TIMEOUT": 0.5,
        # Most tests post forms directly; the `csrf_app` fixture turns it on.
        "WTF_CSRF_ENABLED": False,
    }
    config.update(extra)
    return config


def dispose_when_idle(engine, timeout: float = 10.0) -> None:
    """Dispose of an engine once no connection is checked out of its pool. A live server's
    request still running (a browser's or service worker's fetch that came in just before
    the server stopped) holds one: disposed under it, that connection would be left to
    the garbage collector, which warns (a ResourceWarning, an error in these tests) in
    whatever test runs then."""
    deadline = time.monotonic() + timeout
    checked_out = getattr(engine.pool, "checkedout", lambda: 0)
    while checked_out() and time.monotonic() < deadline:
        time.sleep(0.05)
    engine.dispose()


def empty_tables(app) -> None:
    """Delete every row of every table the app's database has, children first."""
    with app.app_context():
        tables = [
            t for t in reversed(db.metadata.sorted_tables) if inspect(db.engine).has_table(t.name)
        ]
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(table.delete())
        dispose_when_idle(db.engine)
