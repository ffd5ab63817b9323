"""The database part: SQLite through its online backup API, PostgreSQL through pg_dump and
pg_restore; the schema revision and the editions' numbers as of the copy; whether a
target database is empty."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from course.core.backup.files import private_dir
from course.core.backup.place import BackupError, Place


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL as pg_dump/pg_restore take it (no `+psycopg`; the password in PGPASSWORD,
    not on a command line others can read)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client of the server's major "
            "version (e.g. apt-get install postgresql-client-15)"
        )
    return found


def run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(  # noqa: S603 - pg_dump/pg_restore with our own arguments
        args, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()}")


def _sqlite_facts(connection: sqlite3.Connection) -> tuple[str | None, list[int]]:
    """The alembic revision and the published editions' numbers of a SQLite database."""
    tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    revision = None
    if "alembic_version" in tables:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    numbers = []
    if "published_editions" in tables:
        numbers = [
            r[0] for r in connection.execute("SELECT number FROM published_editions ORDER BY 1")
        ]
    return revision, numbers


def backup_sqlite(place: Place, target: Path) -> tuple[str | None, list[int]]:
    source_path = place.sqlite_path()
    if not source_path.is_file():
        raise BackupError(f"no database at {source_path}")
    private_dir(target.parent)
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        # One step: the whole database as of one moment, while the server goes on writing
        # (WAL: the readers' snapshot does not block it).
        source.backup(copy)
        return _sqlite_facts(copy)
    finally:
        copy.close()
        source.close()


def _pg_facts(connection) -> tuple[str | None, list[int]]:
    from sqlalchemy import text

    revision = None
    if connection.scalar(text("SELECT to_regclass('alembic_version')")) is not None:
        revision = connection.scalar(text("SELECT version_num FROM alembic_version"))
    numbers = []
    if connection.scalar(text("SELECT to_regclass('published_editions')")) is not None:
        numbers = list(connection.scalars(text("SELECT number FROM published_editions ORDER BY 1")))
    return revision, numbers


def backup_postgresql(place: Place, target: Path) -> tuple[str | None, list[int]]:
    from sqlalchemy import create_engine, text

    pg_dump = tool("pg_dump")
    uri, env = libpq(place.database_url)
    private_dir(target.parent)
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(place.database_url)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                # The revision and the editions are read in the very snapshot pg_dump copies.
                snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
                facts = _pg_facts(connection)
                run(
                    [pg_dump, "-Fc", "--no-password", f"--snapshot={snapshot}",
                     "-f", str(target), "--dbname", uri],
                    env,
                )  # fmt: skip
        target.chmod(0o600)
        return facts
    except SQLAlchemyError as e:
        raise BackupError(f"cannot read the database: {e.__cause__ or e}") from e
    finally:
        engine.dispose()


def postgresql_tables(url: str) -> int:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(
                text(
                    "SELECT count(*) FROM information_schema.tables "
                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                )
            )
    except SQLAlchemyError as e:
        raise BackupError(f"cannot open the target database: {e.__cause__ or e}") from e
    finally:
        engine.dispose()


def sqlite_tables(path: Path) -> int:
    if not path.exists() or path.stat().st_size == 0:
        return 0
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        ).fetchone()[0]
    except sqlite3.DatabaseError as e:
        raise BackupError(f"the target {path} is not an empty database: {e}") from e
    finally:
        connection.close()


def restore_sqlite(backup_db: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    # immutable: the backup folder is only read (no -wal or -shm files made in it).
    source = sqlite3.connect(f"file:{backup_db}?immutable=1", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        result = copy.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        copy.close()
        source.close()
    if result != "ok":
        raise BackupError(f"the restored database fails its integrity check: {result}")
    target.chmod(0o600)
