"""The `course` command, and the one table of its command groups.

Every group is listed in AREA_COMMANDS (or defined here) and imported only when used, so
`course --help` lists them all even when the content is invalid and no app can start.
Commands that check or export content run without an app, so that they work (and
report every problem) when the content is broken and the app would refuse to start.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

import click
from flask.cli import AppGroup, FlaskGroup
from flask.testing import FlaskCliRunner

from course import create_app
from course.config import PROJECT_ROOT, TIMEZONE, content_dir, review_max_months
from course.core.content import ContentError, load_course
from course.core.logs import redact_environ

# Name -> "module:attribute" of each area's command group (or core command), imported on
# first use.
AREA_COMMANDS = {
    "backup": "course.core.backup.cli:backup_command",
    "restore": "course.core.backup.cli:restore_command",
    "db": "flask_migrate.cli:db",  # Flask-Migrate's (`course db upgrade`)
    "users": "course.modules.accounts.cli:users",
    "keys": "course.modules.certificates.cli:keys_group",
    "certs": "course.modules.certificates.cli:certs",
    "stats": "course.modules.quizzes.cli:stats",
}
CONTENT_COMMANDS = {
    "import": "course.modules.authoring.cli:import_command",
    "editor": "course.modules.authoring.cli:editor_command",
}


def _load(target: str) -> click.Command:
    module, attribute = target.split(":")
    return getattr(importlib.import_module(module), attribute)


class CommandTable(FlaskGroup):
    """Flask's group, with its area commands from AREA_COMMANDS instead of from the app.

    Flask would build the app to list its commands, and show a traceback instead of them
    when the content is invalid; these are known without an app.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(click.Group.list_commands(self, ctx)) | set(AREA_COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in AREA_COMMANDS:
            return _load(AREA_COMMANDS[name])
        return click.Group.get_command(self, ctx, name)


class ContentCommands(AppGroup):
    """The content group (its commands get an app context, as Flask's groups give)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(CONTENT_COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in CONTENT_COMMANDS:
            return _load(CONTENT_COMMANDS[name])
        return super().get_command(ctx, name)


class CourseCliRunner(FlaskCliRunner):
    """`app.test_cli_runner()` runs the `course` command's own table, as installed."""

    def invoke(self, cli=None, args=None, **kwargs):
        return super().invoke(cli or main, args, **kwargs)


@click.group(cls=CommandTable, create_app=create_app, add_version_option=False, load_dotenv=False)
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
    from course.core.content.published import import_instance_editions

    # The first start after the upgrade: editions kept in the instance folder before the
    # database held them go into it, once (the database's unique key decides between
    # servers starting together).
    import_instance_editions(app)
    with app.app_context():
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


@main.group("content", cls=ContentCommands)
def content() -> None:
    """Check and export the course content."""


# No app: the content is checked as it is, even when it is too broken for the app to start.
@content.command("check", with_appcontext=False)
@click.option("--path", type=click.Path(path_type=Path), default=None, help="Content folder.")
@click.option("--strict", is_flag=True, help="Also fail (exit 2) when a module is due for review.")
def content_check(path: Path | None, strict: bool) -> None:
    """Validate the content; print each problem with file and line, then the modules due
    for review (COURSE_REVIEW_MAX_MONTHS, default 6, and the recorded legal changes)."""
    from course.core.content.editions import today_in
    from course.core.content.review import modules_due

    try:
        course = load_course(path or content_dir())
    except ContentError as e:
        for problem in e.problems:
            click.echo(str(problem))
        click.echo(f"{len(e.problems)} problem(s) found.", err=True)
        sys.exit(1)
    click.echo("Content is valid.")
    months = review_max_months()
    due = modules_due(course, today_in(TIMEZONE), months)
    for state in due:
        reasons = []
        if state.review_overdue:
            reviewed = state.module.reviewed
            reasons.append(
                f"last reviewed {reviewed.isoformat()}, over {months} months ago"
                if reviewed
                else "no review recorded"
            )
        reasons += [f"law changed {c.date.isoformat()} ({c.id})" for c in state.changes]
        click.echo(f"due for review: {state.module.id}: {'; '.join(reasons)}")
    if due:
        click.echo(f"{len(due)} module(s) due for review.", err=True)
        if strict:
            sys.exit(2)


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
