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

    try:
        services.claim_editor(None)  # the draft is this server's files only if it edits
    except services.EditedElsewhere as e:
        raise click.ClickException(
            f"The course is edited on another server: {e.server}. Import there, or move "
            "the editor with `course content editor --release` first."
        ) from e
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


@click.command("editor")
@with_appcontext
@click.option(
    "--release",
    is_flag=True,
    help="Free the editor: the next server whose editor is used takes it.",
)
def editor_command(release: bool) -> None:
    """Which app server edits the course (its content/ is the draft)."""
    from course.modules.authoring import services

    if release:
        held = services.release_editor()
        db.session.commit()
        click.echo(f"released: {held}" if held else "no server was editing the course")
        return
    held = services.editing_server()
    if held is None:
        click.echo("no server edits the course yet: the first whose editor is used takes it")
        return
    here = " (this server)" if held == services.this_server() else ""
    click.echo(f"the course is edited on {held}{here}")
