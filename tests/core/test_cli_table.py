"""`course --help` lists every command group from the one table, whatever the content's
state: a broken course must not hide `users`, `keys`, `stats` or `db`."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from course.cli import AREA_COMMANDS, main
from tests.support.app import FIXTURE_CONTENT

GROUPS = (
    "backup", "certs", "content", "db", "i18n", "keys", "restore", "serve", "stats", "users",
)  # fmt: skip


@pytest.fixture(params=["valid", "broken"])
def content(request, tmp_path):
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    if request.param == "broken":
        (root / "ru" / "course.yaml").unlink()
    return root


def test_help_lists_every_group(content, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CONTENT", str(content))
    monkeypatch.setenv("COURSE_INSTANCE", str(tmp_path / "instance"))
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    listed = {
        line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()
    }
    assert set(GROUPS) <= listed
    assert "Traceback" not in result.output
    content_help = CliRunner().invoke(main, ["content", "--help"])
    assert "import" in content_help.output


def test_every_table_entry_is_a_command():
    for name, target in AREA_COMMANDS.items():
        command = main.get_command(None, name)
        assert command is not None, target
        assert command.name in (name, "keys")
