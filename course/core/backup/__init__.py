"""`course backup DEST` and `course restore SRC`: one consistent copy of what an instance
needs to come back (the database, its published editions, the signing keys, the IIN key,
the instance settings), checked whole before anything is restored.

A backup folder:

    manifest.json          written last: a backup without it is partial and never restored
    database/course.sqlite SQLite, copied with its online backup API (safe while serving)
    database/course.dump   PostgreSQL, `pg_dump -Fc` (one snapshot, safe while serving)
    keys/                  the signing keys' folder (COURSE_KEYS_DIR or <instance>/keys)
    instance/              the instance's settings: secret_key, and any other file there
                           that is configuration (place.LEFT_OUT: what is not)
    iin/iin_hmac_key       the IIN key, apart: with the database it allows guessing IINs,
                           so move this folder to another place than the rest

Published editions are rows of the database (published_editions), so they travel with
it; the manifest names their numbers. Files an older version kept in <instance>/editions/
come along under instance/editions/.

No app is built: a backup and a restore work from the environment (DATABASE_URL,
COURSE_INSTANCE, COURSE_KEYS_DIR, IIN_HMAC_KEY, SECRET_KEY) even when the content is
broken, and building an app would write a new secret_key into the target instance.

place.py (the format's names, errors, `Place`), files.py, databases.py (SQLite and
PostgreSQL), making.py (`backup`), restoring.py (`restore`), cli.py (the commands).
"""

from __future__ import annotations

from course.core.backup.making import app_version, backup
from course.core.backup.place import (
    FORMAT,
    FORMAT_VERSION,
    IIN_WARNING,
    MANIFEST,
    BackupError,
    Place,
    RestoreFailed,
)
from course.core.backup.restoring import Restored, read_manifest, restore, schema_revisions

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "IIN_WARNING",
    "MANIFEST",
    "BackupError",
    "Place",
    "RestoreFailed",
    "Restored",
    "app_version",
    "backup",
    "read_manifest",
    "restore",
    "schema_revisions",
]
