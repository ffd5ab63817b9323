"""The `course backup` and `course restore` commands (listed in course/cli.py's table)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from course.core.backup.making import backup
from course.core.backup.place import BackupError, Place, RestoreFailed
from course.core.backup.restoring import restore


@click.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
def backup_command(dest: Path) -> None:
    """Back up the database (while serving), its editions, the signing keys, the instance
    settings and, apart in DEST/iin/, the IIN key; manifest.json is written last."""
    place = Place.from_environment()
    umask = os.umask(0o077)  # everything made is for this user only (personal data)
    try:
        manifest = backup(place, dest, say=lambda line: click.echo(line, err=True))
    except BackupError as e:
        click.echo(f"backup failed: {e}", err=True)
        if (Path(dest) / "database").exists():
            click.echo(f"{dest} is incomplete (it has no manifest): delete it.", err=True)
        sys.exit(1)
    finally:
        os.umask(umask)
    database = manifest["database"]
    click.echo(
        f"Backed up to {Path(dest).resolve()}: {database['kind']} database at revision "
        f"{database['alembic_revision']}, editions {manifest['editions']['numbers'] or 'none'}, "
        f"{len(manifest['files'])} files."
    )


@click.command("restore")
@click.argument("src", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option(
    "--iin-key",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="The IIN key file, when it was kept apart from the backup (default: SRC/iin/).",
)
def restore_command(src: Path, iin_key: Path | None) -> None:
    """Restore a backup into a fresh instance (COURSE_INSTANCE, DATABASE_URL, …): refused,
    with nothing written, unless the backup is complete and unchanged and the target
    has no tables, no keys and none of the files the backup holds."""
    place = Place.from_environment()
    umask = os.umask(0o077)
    try:
        done = restore(src, place, iin_key, say=lambda line: click.echo(line, err=True))
    except RestoreFailed as e:
        click.echo(f"restore failed after its checks passed: {e}", err=True)
        click.echo("Empty the target (database and instance folder) before trying again.", err=True)
        sys.exit(1)
    except BackupError as e:
        click.echo(f"restore refused: {e}", err=True)
        sys.exit(1)
    finally:
        os.umask(umask)
    click.echo(
        f"Restored the backup of {done.manifest['created_at']} into {place.instance} "
        f"({place.kind}); editions {done.manifest['editions']['numbers'] or 'none'}."
    )
    if not done.needs_upgrade:
        click.echo(f"The database schema is this version's (revision {done.head}).")
        return
    click.echo(f"The database is at revision {done.revision}; upgrading to {done.head}.")
    from flask_migrate import upgrade

    from course import create_app

    app = create_app()
    with app.app_context():
        upgrade()
