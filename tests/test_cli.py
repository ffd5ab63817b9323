"""The `course` command: content check and export, users, and serve on a fresh instance."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from course import create_app
from course.cli import main
from course.config import PROJECT_ROOT
from course.core.content import ContentError
from course.core.db import db
from course.modules.accounts import services
from tests.support.app import FIXTURE_CONTENT, SECRET


@pytest.fixture
def broken(tmp_path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    (root / "ru" / "alpha" / "second.md").unlink()  # a missing translation
    path = root / "kk" / "alpha" / "first.md"
    path.write_text(path.read_text(encoding="utf-8").replace("(second.md)", "(gone.md)"), "utf-8")
    structure = root / "course.yaml"
    structure.write_text(
        structure.read_text(encoding="utf-8").replace("[first, second]", "[first, second, first]"),
        "utf-8",
    )
    return root


def test_content_check_passes_on_the_real_course():
    result = CliRunner().invoke(main, ["content", "check", "--path", str(PROJECT_ROOT / "content")])
    assert result.exit_code == 0, result.output
    assert "Content is valid." in result.output


def test_content_check_names_file_and_line_and_fails(broken):
    result = CliRunner().invoke(main, ["content", "check", "--path", str(broken)])
    assert result.exit_code == 1
    assert "content/ru/alpha/second.md:0: lesson 'second' is missing in 'ru'" in result.output
    assert "content/kk/alpha/first.md:13: broken link 'gone.md'" in result.output
    assert "content/course.yaml:7: duplicate lesson id 'first'" in result.output


def test_the_app_refuses_to_start_on_invalid_content(broken, tmp_path):
    with pytest.raises(ContentError) as info:
        create_app(
            {"SECRET_KEY": SECRET, "INSTANCE_PATH": str(tmp_path), "CONTENT_DIR": str(broken)}
        )
    assert "broken link 'gone.md'" in str(info.value)


def test_content_export_json(monkeypatch):
    monkeypatch.setenv("COURSE_CONTENT", str(FIXTURE_CONTENT))
    result = CliRunner().invoke(main, ["content", "export", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["languages"] == ["kk", "ru"]
    assert data["modules"][0]["lessons"][0]["title"]["kk"] == "Бірінші сабақ"
    assert data["final_exam"]["pool"][1]["correct"] == ["true"]


def test_users_add_reads_the_password_from_stdin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "add", "trainer@example.kz", "--name", "Гүлнар Әлиева", "--role", "trainer"],
        input="a long password\n",
    )
    assert result.exit_code == 0, result.output
    assert "created: trainer@example.kz (trainer)" in result.output
    result = runner.invoke(
        args=["users", "add", "trainer@example.kz", "--role", "admin"], input="\n"
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = services.find_by_email("trainer@example.kz")
        assert user.role == "admin"
        assert services.check_password(user, "a long password")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["users", "add", "x@example.kz", "--name", "Иван Петров"], "short\n", "at least 12"),
        (["users", "add", "x@example.kz"], "a long password\n", "--name is required"),
        (
            ["users", "add", "not-an-email", "--name", "Иван Петров"],
            "a long password\n",
            "not a valid",
        ),
        (["users", "add", "x@example.kz", "--name", "Иван Петров", "--role", "root"], "", "root"),
        (
            ["users", "add", "x@example.kz", "--name", "<b>"],
            "a long password\n",
            "name is not valid",
        ),
    ],
)
def test_users_add_refuses_bad_input(app, args, stdin, message):
    result = app.test_cli_runner().invoke(args=args, input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert services.count_users() == 0
        db.session.rollback()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_creates_the_instance_migrates_and_answers(tmp_path):
    """The README's first start: a new instance folder, a migrated database, a real server."""
    instance = tmp_path / "instance"
    port = _free_port()
    env = {**os.environ, "COURSE_INSTANCE": str(instance)}
    env.pop("DATABASE_URL", None)
    env.pop("SECRET_KEY", None)
    course = Path(sys.executable).with_name("course")
    server = subprocess.Popen(  # noqa: S603 - our own console script
        [str(course), "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = json.loads(r.read())
                    break
            except OSError:
                time.sleep(0.1)
        assert body is not None, "the server did not answer"
        assert body["database"] == "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/kk/", timeout=2) as r:
            assert r.status == 200
            assert '<html lang="kk">' in r.read().decode("utf-8")
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode("utf-8", "replace")
    assert "Serving on" in output
    assert (instance / "course.sqlite").exists()
    assert (instance / "secret_key").stat().st_mode & 0o077 == 0  # readable by the owner only


def test_content_check_lists_the_modules_due_for_review():
    result = CliRunner().invoke(main, ["content", "check", "--path", str(FIXTURE_CONTENT)])
    assert result.exit_code == 0, result.output
    assert "due for review: alpha: last reviewed 2026-01-15, over 6 months ago" in result.output
    assert "due for review: beta: no review recorded" in result.output
    assert "law changed 2026-07-01 (constitution-2026)" in result.output
    strict = CliRunner().invoke(
        main, ["content", "check", "--path", str(FIXTURE_CONTENT), "--strict"]
    )
    assert strict.exit_code == 2
    longer = CliRunner(env={"COURSE_REVIEW_MAX_MONTHS": "1200"}).invoke(
        main, ["content", "check", "--path", str(FIXTURE_CONTENT)]
    )
    assert "due for review: alpha: law changed 2026-07-01" in longer.output  # the change only


def test_content_check_needs_no_app_so_broken_content_is_listed_not_a_traceback(broken):
    # The app's own content folder is the broken one: the app could not start on it.
    result = CliRunner(env={"COURSE_CONTENT": str(broken)}).invoke(main, ["content", "check"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "content/course.yaml:7: duplicate lesson id 'first'" in result.output
