"""What a backup is made of and where an instance keeps it: the format's names, the
errors, and `Place` (the database, instance folder, keys folder and secrets of one
instance)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

FORMAT = "observer-course-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
IIN_FILE = "iin_hmac_key"
IIN_PART = PurePosixPath("iin") / IIN_FILE
MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"

# Entries of the instance folder that are not its settings, and why.
LEFT_OUT = {
    "outbox": "mail written without a mail server: per server, not configuration",
    "edition-cache": "each server's cache of the editions, rebuilt from the database",
    "keys": "the signing keys are in keys/",
    IIN_FILE: "the IIN key is in iin/, apart",
}
DATABASE_SUFFIXES = (".sqlite", ".sqlite3", ".db", "-wal", "-shm", "-journal")

IIN_WARNING = (
    "WARNING: {path} is the IIN key. The database and this key together allow guessing "
    "the learners' IINs: keep the iin/ folder in another place than the rest of this "
    "backup (another medium or a vault), and bring it back only to restore."
)

Say = Callable[[str], None]


class BackupError(Exception):
    """A backup cannot be made, or a restore is refused; the message says why."""


class RestoreFailed(BackupError):
    """A restore that passed its checks failed while writing (the message says where)."""


@dataclass(frozen=True)
class Place:
    """Where an instance keeps what a backup holds."""

    database_url: str
    instance: Path
    keys_dir: Path
    iin_key_env: str = ""  # IIN_HMAC_KEY, when given in the environment
    secret_key_env: bool = False  # SECRET_KEY given in the environment

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Place:
        """As the app would read them (course/config.py), without building an app."""
        instance = Path(environ.get("COURSE_INSTANCE", "instance")).resolve()
        keys = environ.get("COURSE_KEYS_DIR", "")
        return cls(
            database_url=environ.get("DATABASE_URL") or f"sqlite:///{instance / 'course.sqlite'}",
            instance=instance,
            keys_dir=Path(keys).resolve() if keys else instance / "keys",
            iin_key_env=environ.get("IIN_HMAC_KEY", ""),
            secret_key_env=environ.get("SECRET_KEY") is not None,
        )

    @classmethod
    def from_app(cls, app) -> Place:
        """The same, from an app's configuration (SQLALCHEMY_DATABASE_URI, KEYS_DIR, …)."""
        instance = Path(app.instance_path)
        keys = app.config.get("KEYS_DIR")
        return cls(
            database_url=app.config["SQLALCHEMY_DATABASE_URI"],
            instance=instance,
            keys_dir=Path(keys) if keys else instance / "keys",
            iin_key_env=app.config.get("IIN_HMAC_KEY") or "",
            secret_key_env=not (instance / "secret_key").exists(),
        )

    @property
    def kind(self) -> str:
        if self.database_url.startswith("sqlite"):
            return "sqlite"
        if self.database_url.startswith("postgresql"):
            return "postgresql"
        raise BackupError(f"unsupported database {self.database_url.split(':', 1)[0]!r}")

    def sqlite_path(self) -> Path:
        from sqlalchemy.engine import make_url

        database = make_url(self.database_url).database
        if not database or database == ":memory:":
            raise BackupError("an in-memory SQLite database cannot be backed up or restored")
        return Path(database).resolve()
