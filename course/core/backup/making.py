"""`course backup`: the copy, its parts in order, and the manifest written last."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from course.core.backup.databases import backup_postgresql, backup_sqlite
from course.core.backup.files import copy_private, file_entry, private_dir, regular_files
from course.core.backup.place import (
    DATABASE_SUFFIXES,
    FORMAT,
    FORMAT_VERSION,
    IIN_FILE,
    IIN_PART,
    IIN_WARNING,
    LEFT_OUT,
    MANIFEST,
    BackupError,
    Place,
    Say,
)


def app_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("observer-course")
    except PackageNotFoundError:
        return None


def _instance_settings(place: Place, dest: Path) -> tuple[list[Path], dict[str, str]]:
    """The instance folder's files that are settings, and what is left out (and why)."""
    keep, left_out = [], {}
    if not place.instance.is_dir():
        return keep, left_out
    database = place.sqlite_path() if place.kind == "sqlite" else None
    for entry in sorted(place.instance.iterdir()):
        if entry.name in LEFT_OUT:
            left_out[entry.name] = LEFT_OUT[entry.name]
        elif dest.resolve().is_relative_to(entry.resolve()):
            left_out[entry.name] = "holds this backup"
        elif entry.resolve() == place.keys_dir.resolve():
            left_out[entry.name] = LEFT_OUT["keys"]
        elif entry.resolve() == database or entry.name.endswith(DATABASE_SUFFIXES):
            left_out[entry.name] = "a database file: the database is in database/"
        elif entry.is_symlink():
            left_out[entry.name] = "a symbolic link: not followed"
        elif entry.is_dir():
            keep += list(regular_files(entry))
        elif entry.is_file():
            keep.append(entry)
    return keep, left_out


def backup(place: Place, dest: Path, say: Say = print, now: datetime | None = None) -> dict:
    """Copy the instance at `place` into the new folder `dest`; returns the manifest."""
    dest = Path(dest).resolve()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} exists and is not an empty folder")
    kind = place.kind
    created_at = (now or datetime.now(UTC)).astimezone(UTC)
    instance_files, left_out = _instance_settings(place, dest)
    private_dir(dest)
    # Whatever goes wrong from here, there is no manifest, so the folder is never restored.
    database = PurePosixPath("database") / ("course.sqlite" if kind == "sqlite" else "course.dump")
    if kind == "sqlite":
        revision, numbers = backup_sqlite(place, dest / database)
    else:
        revision, numbers = backup_postgresql(place, dest / database)
    files = [file_entry(dest, database)]

    keys = []
    if place.keys_dir.is_dir():
        for path in regular_files(place.keys_dir):
            relative = PurePosixPath("keys") / path.relative_to(place.keys_dir).as_posix()
            copy_private(path, dest / relative)
            files.append(file_entry(dest, relative))
            keys.append(str(relative))
    if not keys:
        say(f"note: no signing keys in {place.keys_dir} (none issued yet?)")
    if (place.keys_dir / "root.pem").exists():
        say("note: keys/root.pem (the root key) is in this backup; deploy.md keeps it off servers")

    settings = []
    for path in instance_files:
        relative = PurePosixPath("instance") / path.relative_to(place.instance).as_posix()
        copy_private(path, dest / relative)
        files.append(file_entry(dest, relative))
        settings.append(str(relative))

    iin: dict = {"path": None}
    iin_file = place.instance / IIN_FILE
    if place.iin_key_env:
        iin["kept_in"] = "environment (IIN_HMAC_KEY): not in this backup"
        say("note: IIN_HMAC_KEY is set in the environment; keep it with its other secrets")
    elif iin_file.is_file():
        copy_private(iin_file, dest / IIN_PART)
        iin = file_entry(dest, IIN_PART)
        iin["kept_in"] = "this file, apart from the rest"
        say(IIN_WARNING.format(path=dest / IIN_PART))
    else:
        iin["kept_in"] = "none yet (no IIN was ever recorded)"
    if place.secret_key_env:
        say("note: SECRET_KEY is set in the environment; keep it with its other secrets")

    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": created_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "app_version": app_version(),
        "database": {"kind": kind, "path": str(database), "alembic_revision": revision},
        "editions": {
            "numbers": numbers,
            "note": "published editions are rows of the database (published_editions)",
            "instance_files": [s for s in settings if s.startswith("instance/editions/")],
        },
        "keys": keys,
        "instance": {"files": settings, "left_out": left_out},
        "secret_key": "environment" if place.secret_key_env else "instance/secret_key",
        "iin_key": iin,
        "files": files,
    }
    temp = dest / f".{MANIFEST}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(manifest, out, indent=2, ensure_ascii=False)
        out.write("\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, dest / MANIFEST)  # last: only a complete backup has a manifest
    return manifest
