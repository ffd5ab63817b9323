"""The `course` command: serve, db, content, users.

Commands that check or export content run without an app, so that they work (and
report every problem) when the content is broken and the app would refuse to start.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from flask.cli import FlaskGroup

from course import create_app
from course.config import PROJECT_ROOT, content_dir
from course.core.content import ContentError, check_content, load_course
from course.core.logs import redact_environ


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False, load_dotenv=False)
def main() -> None:
    """The observer course."""


def _start_app_or_exit():
    try:
        return create_app()
    except ContentError as e:
        for problem in e.problems:
            click.echo(str(problem), err=True)
        click.echo(f"The content is invalid ({len(e.problems)} problems); not starting.", err=True)
        sys.exit(1)


@main.command("serve", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Bring the database up to date and serve the app with gunicorn."""
    from flask_migrate import upgrade
    from gunicorn import glogging
    from gunicorn.app.base import BaseApplication

    # Everything the server creates (database, outbox, keys, editions) is for its own
    # user only: the instance folder holds personal data.
    os.umask(0o077)
    app = _start_app_or_exit()
    with app.app_context():
        upgrade()
        from course.extensions import db

        db.engine.dispose()  # workers must not share the migration's connections

    class PrivateAccessLog(glogging.Logger):
        """Access log lines without the secrets some paths carry (see course.core.logs)."""

        def access(self, resp, req, environ, request_time):
            super().access(resp, req, redact_environ(environ), request_time)

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            # Sync workers had the lowest tail latency here (../shared/design/performance.md).
            self.cfg.set("worker_class", "sync")
            self.cfg.set("timeout", 60)
            self.cfg.set("accesslog", "-")
            self.cfg.set("logger_class", PrivateAccessLog)

        def load(self):
            return app

    click.echo(f"Serving on http://{host}:{port}/ (instance: {app.instance_path})")
    Server().run()


@main.group("content")
def content() -> None:
    """Check and export the course content."""


@content.command("check")
@click.option("--path", type=click.Path(path_type=Path), default=None, help="Content folder.")
def content_check(path: Path | None) -> None:
    """Validate the content; print each problem with file and line."""
    problems = check_content(path or content_dir())
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    click.echo("Content is valid.")


@content.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "po"]), default="json", show_default=True
)
@click.option("--path", type=click.Path(path_type=Path), default=None, help="Content folder.")
@click.option(
    "--lang",
    type=click.Choice(["kk", "ru"]),
    default=None,
    help="po: the language to translate into.",
)
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None, help="po: a file.")
def content_export(fmt: str, path: Path | None, lang: str | None, output: Path | None) -> None:
    """Print the whole course as one document (json), or the draft for translators (po)."""
    if fmt == "po":
        if lang is None:
            raise click.UsageError("--format po needs --lang kk or --lang ru.")
        from course.modules.authoring.cli import export_po

        export_po(lang, output)
        return
    try:
        course = load_course(path or content_dir())
    except ContentError as e:
        for problem in e.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    click.echo(json.dumps(course.to_export(), ensure_ascii=False, indent=2))


def _add_area_commands() -> None:
    # Verifying a certificate needs no app, so it works on a machine with only the files.
    from course.modules.authoring.cli import import_command
    from course.modules.certificates.cli import certs

    main.add_command(certs)
    content.add_command(import_command)


_add_area_commands()


@main.group("i18n")
def i18n() -> None:
    """Interface translations: extract the strings, update and compile the catalogs."""


def extract_args(output: Path) -> list[str]:
    """The one extraction command; tests run it too, to prove messages.pot is current."""
    root = PROJECT_ROOT
    return [
        "pybabel", "extract", "-F", str(root / "translations" / "babel.cfg"),
        "-k", "_l", "--no-location", "--sort-output", "--omit-header",
        "-c", "TRANSLATORS:", "-o", str(output), str(root),
    ]  # fmt: skip


def _pybabel(args: list[str]) -> None:
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(args)


@i18n.command("update")
def i18n_update() -> None:
    """Extract messages.pot and merge it into the kk and ru catalogs."""
    translations = PROJECT_ROOT / "translations"
    _pybabel(extract_args(translations / "messages.pot"))
    _pybabel([
        "pybabel", "update", "-i", str(translations / "messages.pot"), "-d", str(translations),
        "--no-fuzzy-matching", "--ignore-obsolete",
    ])  # fmt: skip


@i18n.command("compile")
def i18n_compile() -> None:
    """Compile the catalogs (the .mo files are committed; a test checks they are current)."""
    _pybabel(["pybabel", "compile", "-d", str(PROJECT_ROOT / "translations"), "--statistics"])
