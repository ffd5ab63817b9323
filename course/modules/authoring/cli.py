"""`course content export --format po` and `course content import`: the draft for
translators' tools, and their work back through the editor's checks."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from course.core.db import db


def export_po(lang: str, output: Path | None) -> None:
    from course.modules.authoring import exchange, services

    data = exchange.export_po(services.draft(), lang)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
        click.echo(f"Wrote {output}.", err=True)


@click.command("import")
@with_appcontext
@click.argument("po_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["kk", "ru"]), default=None, help="If the file omits it.")
def import_command(po_file: Path, lang: str | None) -> None:
    """Bring a translated PO file into the draft (all of it, or nothing)."""
    from course.modules.authoring import exchange, services

    author = services.Author(None, f"course content import {po_file.name}")
    report = exchange.import_po(services.draft(), po_file.read_bytes(), author, lang)
    if report.errors:
        db.session.rollback()
        for error in report.errors:
            click.echo(error, err=True)
        click.echo(f"Nothing imported: {len(report.errors)} problem(s).", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(
        f"Imported into '{report.lang}': {report.changed} text(s) changed, "
        f"{report.confirmed} confirmed up to date, {report.still_flagged} still need an update."
    )
