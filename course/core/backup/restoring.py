"""`course restore`: every check first (the manifest, each file's checksum, a fresh target),
then the writes."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from course.core.backup.databases import (
    libpq,
    postgresql_tables,
    restore_sqlite,
    run,
    sqlite_tables,
    tool,
)
from course.core.backup.files import copy_private, private_dir, regular_files, sha256
from course.core.backup.place import (
    FORMAT,
    FORMAT_VERSION,
    IIN_FILE,
    MANIFEST,
    MIGRATIONS,
    BackupError,
    Place,
    RestoreFailed,
    Say,
)


def _check_file(file: Path, entry: dict, name: str) -> None:
    if not file.is_file():
        raise BackupError(f"{name} is missing from the backup: it is partial")
    if file.stat().st_size != entry["size"] or sha256(file) != entry["sha256"]:
        raise BackupError(f"{name} has changed since the backup (its checksum differs)")


def read_manifest(src: Path, iin_key: Path | None = None) -> dict:
    """The manifest of a complete, unchanged backup; refused otherwise."""
    src = Path(src)
    path = src / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} is missing: the backup is partial or not a backup")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise BackupError(f"{path} is not a readable manifest: {e}") from e
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"unexpected backup format {manifest.get('format')!r} version "
            f"{manifest.get('format_version')!r} (this version reads {FORMAT} {FORMAT_VERSION})"
        )
    for entry in manifest["files"]:
        _check_file(src / entry["path"], entry, entry["path"])
    iin = manifest.get("iin_key") or {}
    if iin.get("path"):
        if iin_key is not None:
            _check_file(Path(iin_key), iin, str(iin_key))
        elif not (src / iin["path"]).is_file():
            raise BackupError(
                f"{iin['path']} (the IIN key) is missing from the backup: when it is kept "
                "apart, give it with --iin-key FILE"
            )
        else:
            _check_file(src / iin["path"], iin, iin["path"])
    return manifest


def schema_revisions() -> tuple[str, set[str]]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    return script.get_current_head(), {r.revision for r in script.walk_revisions()}


@dataclass(frozen=True)
class Restored:
    manifest: dict
    revision: str | None
    head: str

    @property
    def needs_upgrade(self) -> bool:
        return self.revision != self.head


def restore(src: Path, place: Place, iin_key: Path | None = None, say: Say = print) -> Restored:
    """Restore the backup at `src` into the fresh instance at `place`. Every check comes
    first: when one refuses, nothing has been written."""
    src = Path(src).resolve()
    manifest = read_manifest(src, iin_key)
    kind = manifest["database"]["kind"]
    if kind != place.kind:
        raise BackupError(f"the backup holds a {kind} database; the target is {place.kind}")
    revision = manifest["database"]["alembic_revision"]
    head, known = schema_revisions()
    if revision is not None and revision not in known:
        raise BackupError(
            f"the backup's database revision {revision} is not one of this version's "
            "migrations: install the version that made the backup"
        )

    # The target must be fresh: no tables, no keys, none of the files a restore writes.
    if kind == "sqlite":
        target_db = place.sqlite_path()
        tables = sqlite_tables(target_db)
    else:
        pg_restore = tool("pg_restore")
        tables = postgresql_tables(place.database_url)
    if tables:
        raise BackupError(f"the target database is not empty ({tables} tables)")
    if place.keys_dir.is_dir() and any(regular_files(place.keys_dir)):
        raise BackupError(f"the target already has keys in {place.keys_dir}")
    writes = [
        (src / entry, place.instance / PurePosixPath(entry).relative_to("instance"))
        for entry in manifest["instance"]["files"]
    ]
    iin = manifest.get("iin_key") or {}
    iin_source = (Path(iin_key) if iin_key else src / iin["path"]) if iin.get("path") else None
    if iin_source is not None:
        if place.iin_key_env:
            if place.iin_key_env.strip() != iin_source.read_text().strip():
                raise BackupError(
                    "the target's IIN_HMAC_KEY is not the backup's IIN key: recorded IINs "
                    "would not match; unset it or set the backup's"
                )
        else:
            writes.append((iin_source, place.instance / IIN_FILE))
    for _, target in writes:
        if target.exists():
            raise BackupError(f"{target} exists already")

    # Then write: the database, the keys, the IIN key, the settings.
    try:
        private_dir(place.instance)
        backup_db = src / manifest["database"]["path"]
        if kind == "sqlite":
            restore_sqlite(backup_db, target_db)
        else:
            uri, env = libpq(place.database_url)
            run(
                [pg_restore, "--no-owner", "--no-acl", "--exit-on-error",
                 "--single-transaction", "--no-password", "--dbname", uri, str(backup_db)],
                env,
            )  # fmt: skip
        for entry in manifest["keys"]:
            copy_private(src / entry, place.keys_dir / PurePosixPath(entry).relative_to("keys"))
        if manifest["keys"]:
            place.keys_dir.chmod(0o700)
        for source, target in writes:
            copy_private(source, target)
    except (BackupError, OSError, sqlite3.Error) as e:
        raise RestoreFailed(str(e)) from e
    if iin.get("path") is None:
        say(f"note: the backup holds no IIN key ({iin.get('kept_in')})")
    if manifest.get("secret_key") == "environment":
        say("note: the backup's server had SECRET_KEY in its environment: set the same here")
    return Restored(manifest, revision, head)
