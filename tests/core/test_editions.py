"""Published editions in the database: a publish is one row; another worker (a new app
on the same database, with an empty cache) serves it; an instance's editions folder of
old is imported once, and two servers importing at once keep one copy; two publishes of
one number at once, one is refused cleanly; a failed publish leaves nothing; a request
within the check interval asks the database nothing about editions; a downgrade puts the
editions back where the older version reads them."""

from __future__ import annotations

import io
import re
import shutil
import tarfile
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, event, select
from sqlalchemy.exc import OperationalError

from course import create_app
from course.core.content import load_course
from course.core.content.archive import digest, unpack
from course.core.content.editions import IMPORTED
from course.core.content.published import current_course, editions, import_instance_editions
from course.core.content.records import EditionExists, EditionRecord
from course.core.content.store import DatabaseStore, PublishedEdition
from course.core.db import db
from course.modules.certificates import codes
from tests.support.app import FIXTURE_CONTENT, app_config
from tests.support.authoring import client_as
from tests.support.certificates import signed_in_holder

RECORD = EditionRecord(
    number=4,
    published_on=date(2026, 12, 1),
    published_at="2026-12-01T05:00:00+00:00",
    published_by="Гүлнар Әлиева",
    published_by_id=None,
    law_in_force_on=date(2026, 11, 30),
    review_note="Сверено с законом.",
    supersedes_earlier=True,
    changed_modules=("alpha",),
)


def _edit(folder: Path, text: str) -> None:
    """The first lesson of the course in `folder` ends with `text`, in both languages."""
    for lang in ("kk", "ru"):
        path = folder / lang / "alpha" / "first.md"
        path.write_text(path.read_text("utf-8").rstrip() + f"\n\n{text} {lang}\n", "utf-8")


def _content(folder: Path, text: str | None = None, edition: int | None = None) -> Path:
    """A copy of the fixture course, its first lesson ending with `text` in both languages."""
    shutil.copytree(FIXTURE_CONTENT, folder)
    if text is not None:
        _edit(folder, text)
    if edition is not None:
        structure = folder / "course.yaml"
        structure.write_text(
            re.sub(
                r"^edition: .*$",
                f"edition: {edition}",
                structure.read_text("utf-8"),
                count=1,
                flags=re.M,
            ),
            "utf-8",
        )
    return folder


def _server(make_app, tmp_path, name: str, draft: str | None = None, **extra):
    """An app as one more server: its own instance folder and content copy; `draft`, a
    change a trainer then makes to the first lesson (after the edition learners see is
    frozen, as the editor does before its first save)."""
    content = _content(tmp_path / f"content-{name}")
    app = make_app(CONTENT_DIR=str(content), INSTANCE_PATH=str(tmp_path / name), **extra)
    if draft is not None:
        with app.app_context():
            editions().freeze_served_files()
        _edit(content, draft)
    return app


def _rows(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(PublishedEdition.number).order_by("number")))


def _first_lesson(app, lang: str = "ru") -> str:
    with app.app_context():
        return current_course().lesson("alpha", "first").body[lang]


def test_a_publish_is_one_row_with_its_record_and_its_files(make_app, tmp_path):
    app = _server(make_app, tmp_path, "a", draft="Новое правило.")
    with app.app_context():
        course = editions().publish(RECORD)
        assert course.edition == 4
        rows = db.session.scalars(select(PublishedEdition).order_by("number")).all()
        # What learners saw before (edition 3, from the files) was frozen first.
        assert [(r.number, r.frozen_from_files) for r in rows] == [(3, True), (4, False)]
        row = rows[1]
        assert (row.published_by, row.review_note, row.changed_modules) == (
            "Гүлнар Әлиева",
            "Сверено с законом.",
            ["alpha"],
        )
        assert row.archive_sha256 == digest(row.archive)
        with tarfile.open(fileobj=io.BytesIO(row.archive)) as tar:
            names = tar.getnames()
        assert "course.yaml" in names
        assert "ru/alpha/first.md" in names
        assert not any(n.startswith(".") or "/." in n for n in names)  # no lock or temp files
        unpack(row.archive, tmp_path / "unpacked")
        frozen = load_course(tmp_path / "unpacked")
        assert frozen.edition == 4  # its course.yaml says which edition it is
        assert "Новое правило. ru" in frozen.lesson("alpha", "first").body["ru"]
        assert editions().records()[0] == RECORD
        assert editions().superseding_edition() == 4
    # Nothing is kept in the instance folder but the cache.
    assert not (tmp_path / "a" / "editions").exists()
    assert (tmp_path / "a" / "edition-cache").is_dir()


def test_another_worker_serves_the_edition_from_the_database(make_app, tmp_path):
    a = _server(make_app, tmp_path, "a", draft="Новое правило.")
    with a.app_context():
        editions().publish(RECORD)
    # Server b's own content folder has the old text, and its cache was empty.
    b = _server(make_app, tmp_path, "b")
    with b.app_context():
        assert current_course().edition == 4
        assert current_course().root.is_relative_to(tmp_path / "b" / "edition-cache")
        assert editions().get(3).edition == 3
        assert [r.number for r in editions().records()] == [4, 3]
    assert "Новое правило. ru" in _first_lesson(b)
    page = client_as(b, "learner").get("/ru/learn/alpha/first").get_data(as_text=True)
    assert "Новое правило. ru" in page
    # The folder is only a cache: gone, the next worker builds it again from the database.
    shutil.rmtree(tmp_path / "b" / "edition-cache")
    again = make_app(CONTENT_DIR=str(tmp_path / "content-b"), INSTANCE_PATH=str(tmp_path / "b"))
    assert "Новое правило. ru" in _first_lesson(again)
    assert any((tmp_path / "b" / "edition-cache").iterdir())


def test_a_worker_notices_a_publish_elsewhere_at_its_next_check(make_app, tmp_path):
    a = _server(make_app, tmp_path, "a", draft="Новое правило.")
    b = _server(make_app, tmp_path, "b")
    now = [1000.0]
    b.extensions["course.editions"].clock = lambda: now[0]
    with b.app_context():
        assert current_course().edition == 3
    with a.app_context():
        editions().publish(RECORD)
    with b.app_context():
        now[0] += 0.5
        assert current_course().edition == 3  # within its second: not asked yet
        now[0] += 0.5
        assert current_course().edition == 4


def _old_edition(instance: Path, number: int, text: str) -> None:
    """An edition as an older version kept it: `<instance>/editions/<N>/` + edition.json."""
    folder = _content(instance / "editions" / str(number), text, edition=number)
    record = EditionRecord(number, date(2026, 1, number), published_by="Прежний тренер")
    (folder / "edition.json").write_text(record.to_json(), "utf-8")


def test_an_editions_folder_of_old_is_imported_once(make_app, tmp_path):
    instance = tmp_path / "instance"
    _old_edition(instance, 3, "Третье издание.")
    _old_edition(instance, 4, "Четвёртое издание.")
    app = make_app(CONTENT_DIR=str(_content(tmp_path / "content")))
    assert _rows(app) == [3, 4]
    assert "Четвёртое издание. ru" in _first_lesson(app)
    with app.app_context():
        assert editions().records()[0].published_by == "Прежний тренер"
    assert "Imported: 3, 4." in (instance / "editions" / IMPORTED).read_text("utf-8")
    # Once: the next start does not bring back what is no longer in the database.
    with app.app_context():
        db.session.execute(delete(PublishedEdition).where(PublishedEdition.number == 4))
        db.session.commit()
    again = make_app(CONTENT_DIR=str(tmp_path / "content"))
    assert _rows(again) == [3]
    assert "Четвёртое издание. ru" not in _first_lesson(again)


def test_two_servers_importing_at_once_keep_one_copy_of_each_edition(make_app, tmp_path):
    apps = [_server(make_app, tmp_path, name, DATABASE_BUSY_TIMEOUT=10) for name in ("a", "b")]
    for name in ("a", "b"):
        _old_edition(tmp_path / name, 3, "Третье издание.")
        _old_edition(tmp_path / name, 4, f"Четвёртое издание сервера {name}.")
    barrier = threading.Barrier(2)
    imported: dict[str, list[int]] = {}
    errors = []

    def start(name: str, app) -> None:
        barrier.wait()
        try:
            imported[name] = import_instance_editions(app)
        except Exception as e:  # the test reports whatever went wrong
            errors.append(repr(e))

    threads = [threading.Thread(target=start, args=pair) for pair in zip("ab", apps, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert _rows(apps[0]) == [3, 4]
    # Each number was imported by one server only; the other kept the database's copy.
    assert sorted(imported["a"] + imported["b"]) == [3, 4]
    for app in apps:
        with app.app_context():
            editions().refresh(force=True)
    assert _first_lesson(apps[0]) == _first_lesson(apps[1])


def test_two_publishes_of_one_number_at_once_one_is_refused(make_app, tmp_path):
    apps = [
        _server(make_app, tmp_path, name, draft=f"Правка {name}.", DATABASE_BUSY_TIMEOUT=10)
        for name in ("a", "b")
    ]
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def publish(name: str, app) -> None:
        with app.app_context():
            barrier.wait()
            try:
                editions().publish(RECORD)
            except EditionExists:
                outcomes[name] = "refused"
            else:
                outcomes[name] = "published"

    threads = [threading.Thread(target=publish, args=pair) for pair in zip("ab", apps, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes.values()) == ["published", "refused"]
    assert _rows(apps[0]) == [3, 4]
    [loser] = [name for name, outcome in outcomes.items() if outcome == "refused"]
    [winner] = [name for name, outcome in outcomes.items() if outcome == "published"]
    # The refused draft was not stamped as edition 4, and both serve the winner's.
    assert "edition: 3" in (tmp_path / f"content-{loser}" / "course.yaml").read_text("utf-8")
    for app in apps:
        with app.app_context():
            editions().refresh(force=True)
        assert f"Правка {winner}. ru" in _first_lesson(app)


def test_a_publish_that_fails_leaves_no_edition(make_app, tmp_path, monkeypatch):
    app = _server(make_app, tmp_path, "a", draft="Новое правило.")
    with app.app_context():

        def gone(*args, **kwargs):
            raise OperationalError("INSERT", {}, Exception("the database went away"))

        monkeypatch.setattr(DatabaseStore, "add", gone)
        with pytest.raises(OperationalError):
            editions().publish(RECORD)
        monkeypatch.undo()
        db.session.rollback()
        assert editions().numbers() == [3]
        assert current_course().edition == 3
    assert _rows(app) == [3]
    assert "edition: 3" in (tmp_path / "content-a" / "course.yaml").read_text("utf-8")
    other = _server(make_app, tmp_path, "b")
    assert "Новое правило. ru" not in _first_lesson(other)


def test_a_request_within_the_check_interval_asks_nothing_about_editions(make_app, tmp_path):
    app = _server(make_app, tmp_path, "a")
    other = _server(make_app, tmp_path, "b", draft="Новое правило.")
    now = [1000.0]
    app.extensions["course.editions"].clock = lambda: now[0]
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if "published_editions" in statement:
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        holder = signed_in_holder(app)
        client = holder["client"]
        assert client.get("/ru/learn/alpha/first").status_code == 200
        statements.clear()
        # Lessons, the holder's certificate (its edition), the status list and a public
        # verification (the superseding edition): all from the worker's memory.
        paths = (
            "/ru/learn/alpha/first",
            "/kk/course",
            "/kk/certificate",
            "/kk/certificate/print",
            "/status/1",
            f"/ru/verify/{codes.display(holder['code'])}",
        )
        for path in paths * 3:
            assert client.get(path).status_code == 200, path
        assert statements == []
        now[0] += 1.0
        assert client.get("/ru/learn/alpha/first").status_code == 200
        assert len(statements) == 1  # the stamp, nothing changed
        assert "max" in statements[0].lower()
        with other.app_context():
            editions().publish(RECORD)
        statements.clear()
        now[0] += 1.0
        page = client.get("/ru/learn/alpha/first").get_data(as_text=True)
        assert "Новое правило. ru" in page
        # The stamp, the records (without files), then the new edition's archive, once.
        assert len(statements) == 3
        for _ in range(5):
            client.get("/ru/learn/alpha/first")
        assert len(statements) == 3
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def test_a_downgrade_puts_the_editions_back_into_the_instance_folder(tmp_path):
    from flask_migrate import downgrade, upgrade

    url = f"sqlite:///{tmp_path / 'own.sqlite'}"  # its own database: it drops tables
    content = _content(tmp_path / "content", "Новое правило.")
    config = app_config(url, tmp_path / "instance", CONTENT_DIR=str(content))
    with create_app(config).app_context():
        upgrade()
    app = create_app(config)
    with app.app_context():
        editions().publish(RECORD)
        downgrade(revision="7c1f0e2a9b31")
        db.engine.dispose()
    folder = tmp_path / "instance" / "editions"
    assert sorted(p.name for p in folder.iterdir()) == ["3", "4"]
    assert EditionRecord.from_json((folder / "4" / "edition.json").read_text("utf-8")) == RECORD
    assert "Новое правило. ru" in load_course(folder / "4").lesson("alpha", "first").body["ru"]


def test_the_first_start_after_the_upgrade_imports_the_old_editions(tmp_path):
    """As `course serve` starts: the app is made before the migrations (no table yet, so
    the course is served from the files), then the database is upgraded and the
    instance's old editions imported."""
    from flask_migrate import upgrade

    url = f"sqlite:///{tmp_path / 'own.sqlite'}"  # its own database, at the older revision
    config = app_config(url, tmp_path / "instance", CONTENT_DIR=str(_content(tmp_path / "c")))
    with create_app(config).app_context():
        upgrade(revision="7c1f0e2a9b31")
        db.engine.dispose()
    _old_edition(tmp_path / "instance", 3, "Третье издание.")
    _old_edition(tmp_path / "instance", 4, "Четвёртое издание.")
    app = create_app(config)
    with app.app_context():
        assert current_course().edition == 3  # from the files, for now
        upgrade()
    assert import_instance_editions(app) == [3, 4]
    assert "Четвёртое издание. ru" in _first_lesson(app)
    assert _rows(app) == [3, 4]
    with app.app_context():
        db.engine.dispose()
