"""Model base, UTC timestamps, constraint naming, SQLite connection settings, and the end
of each request's session."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Named constraints so that migrations can drop and alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def init_app(app: Flask) -> None:
    """After Flask-SQLAlchemy's init_app: end each request's session without failing it."""

    # Registered after Flask-SQLAlchemy's, so it runs first (teardowns run last-in first).
    @app.teardown_appcontext
    def end_session(_error) -> None:
        try:
            db.session.remove()
        except SQLAlchemyError:
            # The database went away after the answer was made: closing the session
            # tried a ROLLBACK on a dropped connection. SQLAlchemy has invalidated that
            # connection already; failing here would turn a finished answer (or its 503)
            # into a 500, so the session is only forgotten.
            app.logger.warning("could not close the database session", exc_info=True)
            db.session.registry.clear()


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every backend (SQLite keeps no time zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    # The busy timeout comes from the driver's `timeout` (config DATABASE_BUSY_TIMEOUT).
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode = WAL")
    # NORMAL in WAL mode survives a process crash; it may lose the last commits on a
    # power cut, which we accept for +55 % write throughput (see README).
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def is_lock_timeout(error: Exception) -> bool:
    """True for SQLite's "database is locked" and PostgreSQL's lock/serialization waits."""
    text = str(getattr(error, "orig", error)).lower()
    return "database is locked" in text or "lock timeout" in text
