"""`course certs verify` trusts only the pinned root and fresh revocation data."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from course.cli import main
from course.core.db import utcnow
from course.modules.certificates import cose, integrity, keys
from course.modules.certificates import services as certificates


def _saved_lists(app, tmp_path) -> tuple[str, str, str]:
    client = app.test_client()
    keys_file = tmp_path / "keys.json"
    status_file = tmp_path / "status.json"
    keys_file.write_text(json.dumps(client.get("/.well-known/course-keys.json").json))
    status_file.write_text(json.dumps(client.get("/status/1").json))
    with app.app_context():
        return str(keys_file), str(status_file), certificates.root_fingerprint()


def _verify(*args: str):
    return CliRunner().invoke(main, ["certs", "verify", *args])


def test_a_self_signed_key_list_of_another_root_is_forged(app, holder, tmp_path):
    keys_file, status_file, pinned = _saved_lists(app, tmp_path)
    genuine = json.loads((tmp_path / "keys.json").read_text())
    # A forger re-signs the list with a root of their own: its signature holds, its root
    # is not the issuer's.
    forger = Ed25519PrivateKey.generate()
    forged = {k: v for k, v in genuine.items() if k != "proof"}
    forged["root_key"] = keys.b64(cose.raw_public_key(forger.public_key()))
    forged = integrity.add_proof(forged, forger, "root", genuine["updated"])
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    assert keys.verify_key_list(forged)  # it signs itself
    result = _verify(
        holder["qr"], "--keys", str(tmp_path / "forged.json"), "--root-fingerprint", pinned
    )
    assert result.exit_code == 1
    assert result.output.startswith("FORGED: the key list is not signed by the pinned root key")
    good = _verify(
        holder["qr"], "--keys", keys_file, "--status", status_file, "--root-fingerprint", pinned
    )
    assert good.exit_code == 0, good.output
    assert "revocation data as of" in good.output


def test_without_a_pinned_root_nothing_is_trusted(app, holder, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_INSTANCE", str(tmp_path / "elsewhere"))
    keys_file, _status, _pinned = _saved_lists(app, tmp_path)
    result = _verify(holder["qr"], "--keys", keys_file)
    assert result.exit_code == 1
    assert "pass --root-fingerprint" in result.output


def test_stale_revocation_data_is_refused_unless_allowed(app, holder, tmp_path):
    keys_file, status_file, pinned = _saved_lists(app, tmp_path)
    eight_days = (utcnow() + timedelta(days=8)).isoformat()
    args = [
        holder["qr"],
        "--keys",
        keys_file,
        "--status",
        status_file,
        "--root-fingerprint",
        pinned,
    ]
    stale = _verify(*args, "--now", eight_days)
    assert stale.exit_code == 1
    assert stale.output.startswith("STALE")
    assert re.search(r"\(19[12]\.\d hours old\)", stale.output), stale.output  # its age
    allowed = _verify(*args, "--now", eight_days, "--allow-stale")
    assert allowed.exit_code == 0, allowed.output
    # On an election day a day-old list is already too old.
    later = utcnow() + timedelta(hours=25)
    today = later.astimezone(keys_tz()).date().isoformat()
    election = _verify(*args, "--now", later.isoformat(), "--election-days", today)
    assert election.exit_code == 1
    assert election.output.startswith("STALE")
    ordinary = _verify(*args, "--now", later.isoformat(), "--election-days", "2000-01-01")
    assert ordinary.exit_code == 0, ordinary.output


def keys_tz():
    from course.modules.certificates.verification import KAZAKHSTAN

    return KAZAKHSTAN


def test_an_election_day_named_in_the_key_list_counts_without_being_given(app, holder, tmp_path):
    later = utcnow() + timedelta(hours=25)
    day = later.astimezone(keys_tz()).date().isoformat()
    with app.app_context():
        assert certificates.publish_election_days([day])
    keys_file, status_file, pinned = _saved_lists(app, tmp_path)
    assert json.loads((tmp_path / "keys.json").read_text())["election_days"] == [day]
    args = [holder["qr"], "--keys", keys_file, "--status", status_file]
    election = _verify(*args, "--root-fingerprint", pinned, "--now", later.isoformat())
    assert election.exit_code == 1
    assert election.output.startswith("STALE")
    # The day is under the root's signature: a list with it taken out no longer verifies.
    edited = json.loads((tmp_path / "keys.json").read_text())
    edited["election_days"] = []
    (tmp_path / "keys.json").write_text(json.dumps(edited))
    forged = _verify(*args, "--root-fingerprint", pinned, "--now", later.isoformat())
    assert forged.exit_code != 0
    assert "not validly signed" in forged.output
