"""COURSE_KEYS_DIR: one signing-keys folder for every app server, never generated on its
own (a server that finds it empty must not mint a root of its own)."""

from __future__ import annotations

import pytest

from course.modules.certificates import keys
from course.modules.certificates.services.signing import keyring


def test_a_configured_keys_folder_without_keys_refuses_rather_than_make_a_root(make_app, tmp_path):
    folder = tmp_path / "shared-keys"
    app = make_app(KEYS_DIR=str(folder))
    with app.app_context(), pytest.raises(keys.KeyringError, match="course keys init"):
        keyring()
    assert not folder.exists()
    assert not (tmp_path / "instance" / "keys").exists()
    # `course keys init` makes them there, once; every server then reads that folder.
    result = app.test_cli_runner().invoke(args=["keys", "init"])
    assert result.exit_code == 0, result.output
    assert "root key fingerprint" in result.output
    with app.app_context():
        assert keyring().folder == folder
        entry, _private = keyring().active()
    other = make_app(KEYS_DIR=str(folder), INSTANCE_PATH=str(tmp_path / "other"))
    with other.app_context():
        assert keyring().active()[0].kid == entry.kid
    assert not (tmp_path / "instance" / "keys").exists()
