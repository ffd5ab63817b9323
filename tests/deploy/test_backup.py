"""`course backup` and `course restore` as docs/deploy.md's restore drill uses them: a
backup taken while learners are submitting quiz answers to a live server, restored into
a new instance (a new SQLite file, or a new PostgreSQL database), keeps every answer the
server acknowledged before the backup began, and certificates issued before it verify
there as they did; an incomplete, changed or misplaced restore is refused with nothing
written."""

from __future__ import annotations

import json
import secrets
import shutil
import threading
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from course import create_app
from course.cli import main
from course.core.backup import IIN_WARNING, MANIFEST, Place, backup
from course.core.content.published import current_course, editions
from course.core.content.store import PublishedEdition
from course.core.db import db
from course.modules.certificates import codes, verification
from course.modules.certificates import services as certificates
from course.modules.quizzes import services as quizzes
from course.modules.quizzes.models import SUBMITTED, Attempt
from tests.support import factories
from tests.support.app import FIXTURE_CONTENT, SECRET, app_config
from tests.support.certificates import complete_course, signed_in_holder
from tests.support.live import LiveServer, free_port
from tests.support.quizzes import answers_for, form_for, read_lessons

pytestmark = pytest.mark.slow

IIN = "900101300017"
LEARNERS = 4  # threads submitting at once
# Whatever the test run's environment says, the commands see only these (None: unset).
UNSET = {"SECRET_KEY": None, "IIN_HMAC_KEY": None, "COURSE_KEYS_DIR": None}


@pytest.fixture
def target(database_url, tmp_path):
    """An empty database for the restored instance: a new SQLite file beside it, or a new
    PostgreSQL database on the same server (dropped afterwards)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'course.sqlite'}"
        return
    name = f"restore_{secrets.token_hex(4)}"
    server = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        server.dispose()


def _tables(url: str) -> int:
    if url.startswith("sqlite") and not Path(make_url(url).database).exists():
        return 0
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if url.startswith("sqlite"):
                query = "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
            else:
                query = (
                    "SELECT count(*) FROM information_schema.tables "
                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                )
            return connection.scalar(text(query))
    finally:
        engine.dispose()


def _editions() -> list[tuple[int, str]]:
    """The published editions in the database: (number, SHA-256 of its files)."""
    query = select(PublishedEdition.number, PublishedEdition.archive_sha256)
    return [tuple(row) for row in db.session.execute(query.order_by(PublishedEdition.number))]


def _env(url: str, instance: Path) -> dict:
    return {**UNSET, "DATABASE_URL": url, "COURSE_INSTANCE": str(instance)}


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _revoked_certificate(app) -> dict:
    """Another learner's certificate, revoked (so the status list has a bit set)."""
    with app.app_context():
        user_id = complete_course(full_name="Нұрлан Серікұлы Әбенов")
        admin = factories.make_user(role="admin")
        db.session.commit()
        certificate = certificates.current_certificate(user_id)
        certificates.revoke(certificate, admin.id, "exam_misconduct", "copied")
        db.session.commit()
        return {"code": certificate.code, "qr": certificate.qr_text}


def _prepared(app) -> dict:
    """The instance as a deployment has it: a holder whose IIN is recorded, a revoked
    certificate, a published edition, a secret_key file, an old editions folder, mail in
    the outbox."""
    holder = signed_in_holder(app)
    assert holder["client"].post("/kk/certificate", data={"iin": IIN}).status_code in (200, 302)
    revoked = _revoked_certificate(app)
    with app.app_context():
        editions().freeze_served_files()  # the edition served is now a row of the database
    instance = Path(app.instance_path)
    # What an older version left in the instance folder after importing its editions.
    (instance / "editions").mkdir()
    (instance / "editions" / "IMPORTED.txt").write_text("The editions were imported.\n")
    (instance / "secret_key").write_text("s" * 64)
    (instance / "outbox").mkdir(exist_ok=True)
    (instance / "outbox" / "message.eml").write_text("Subject: mail to someone\n")
    assert (instance / "iin_hmac_key").is_file()
    assert (instance / "keys" / "keyring.json").is_file()
    return {"holder": holder, "revoked": revoked}


class Learner(threading.Thread):
    """A learner at the live server: starts the module quiz and submits (wrong) answers,
    again and again, until told to stop; `acknowledged` holds (attempt id, when the
    server's answer arrived) for each submit the server confirmed."""

    def __init__(self, app, live: LiveServer, stop: threading.Event):
        super().__init__(daemon=True)
        self.app, self.live, self.stop = app, live, stop
        with app.app_context():
            user = factories.make_user()
            db.session.commit()
            self.user_id, email = user.id, user.email
            read_lessons(self.user_id, current_course())
            db.session.commit()
        self.session = requests.Session()
        signed = self.session.post(
            f"{live.url}/kk/sign-in",
            data={"email": email, "password": factories.PASSWORD},
            allow_redirects=False,
            timeout=20,
        )
        assert signed.status_code == 302
        self.acknowledged: list[tuple[str, float]] = []
        self.failures = 0

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                started = self.session.post(
                    f"{self.live.url}/kk/quiz/alpha/start", allow_redirects=False, timeout=20
                )
                if started.status_code != 303 or "/attempts/" not in started.headers["Location"]:
                    self.failures += 1
                    continue
                public_id = started.headers["Location"].rstrip("/").rsplit("/", 1)[1]
                with self.app.app_context():
                    course = current_course()
                    attempt = quizzes.get_attempt(public_id, self.user_id)
                    fields = form_for(attempt, course, SECRET, answers_for(attempt, course, False))
                    db.session.rollback()
                sent = self.session.post(
                    f"{self.live.url}/kk/attempts/{public_id}",
                    data=fields,
                    allow_redirects=False,
                    timeout=20,
                )
            except requests.RequestException:
                self.failures += 1
                continue
            if sent.status_code == 303 and sent.headers["Location"].endswith("/result"):
                self.acknowledged.append((public_id, time.monotonic()))
            else:
                self.failures += 1


def _published(client) -> tuple[bytes, dict]:
    keys = client.get("/.well-known/course-keys.json")
    status = client.get("/status/1")
    assert keys.status_code == status.status_code == 200
    return keys.data, status.json


def test_a_backup_taken_while_learners_submit_restores_everything_acknowledged_before_it(
    make_app, target, tmp_path
):
    port = free_port()
    app = make_app(
        LIVE_PORT=port,
        COURSE_BASE_URL=f"http://127.0.0.1:{port}",
        QUIZ_FAILURES_BEFORE_WAIT=0,  # every learner may fail and retry without waiting
        DATABASE_BUSY_TIMEOUT=5,
    )
    live = LiveServer(app)
    stop = threading.Event()
    learners: list[Learner] = []
    try:
        prepared = _prepared(app)
        holder, revoked = prepared["holder"], prepared["revoked"]
        key_list, status_list = _published(app.test_client())
        learners += [Learner(app, live, stop) for _ in range(LEARNERS)]
        for learner in learners:
            learner.start()
        time.sleep(1.0)
        dest = tmp_path / "backup"
        began = time.monotonic()
        made = CliRunner().invoke(
            main,
            ["backup", str(dest)],
            env=_env(app.config["SQLALCHEMY_DATABASE_URI"], Path(app.instance_path)),
        )
        time.sleep(0.5)  # the learners go on while the backup is written and after
    finally:
        stop.set()
        for learner in learners:
            learner.join(30)
        live.stop()
    assert made.exit_code == 0, made.output
    assert "Backed up to" in made.stdout
    assert IIN_WARNING.format(path=dest / "iin" / "iin_hmac_key") in made.stderr.replace("\n", " ")
    acknowledged = [a for learner in learners for a in learner.acknowledged]
    before = [public_id for public_id, when in acknowledged if when < began]
    assert len(before) >= LEARNERS, [learner.failures for learner in learners]
    assert len(acknowledged) > len(before), "no submit went on during the backup"

    # The backup's own shape: modes, the manifest, the IIN key apart, no mail, no cache.
    manifest = json.loads((dest / MANIFEST).read_text())
    assert manifest["database"]["kind"] == make_url(target).get_backend_name()
    assert manifest["database"]["alembic_revision"]
    with app.app_context():
        published = _editions()
    assert published
    assert manifest["editions"]["numbers"] == [number for number, _ in published]
    assert manifest["editions"]["instance_files"] == ["instance/editions/IMPORTED.txt"]
    listed = {entry["path"] for entry in manifest["files"]}
    assert listed == {str(p.relative_to(dest)) for p in _files(dest)} - {
        MANIFEST,
        "iin/iin_hmac_key",
    }
    assert "instance/secret_key" in listed
    assert not any(p.startswith(("iin/", "instance/outbox")) for p in listed)
    assert "outbox" in manifest["instance"]["left_out"]
    for path in [dest, *dest.rglob("*")]:
        assert path.stat().st_mode & 0o777 == (0o700 if path.is_dir() else 0o600), path
    iin_key = (dest / "iin" / "iin_hmac_key").read_bytes().strip()
    assert iin_key == (Path(app.instance_path) / "iin_hmac_key").read_bytes().strip()
    for path in _files(dest):
        if path.parent.name != "iin":
            assert iin_key not in path.read_bytes(), path

    # Restore into a new instance and look at it as its users would.
    restored_instance = tmp_path / "restored"
    done = CliRunner().invoke(main, ["restore", str(dest)], env=_env(target, restored_instance))
    assert done.exit_code == 0, done.output
    assert "The database schema is this version's" in done.stdout
    assert (restored_instance / "iin_hmac_key").read_bytes().strip() == iin_key
    assert (restored_instance / "secret_key").read_text() == "s" * 64
    assert not (restored_instance / "outbox").exists()
    restored = create_app(
        app_config(target, restored_instance, COURSE_BASE_URL=app.config["COURSE_BASE_URL"])
    )
    try:
        with restored.app_context():
            found = dict(
                db.session.execute(
                    select(Attempt.public_id, Attempt.status).where(Attempt.public_id.in_(before))
                ).all()
            )
            after = [p for p, when in acknowledged if when >= began]
            kept_after = db.session.scalar(select(func.count()).where(Attempt.public_id.in_(after)))
            restored_editions = _editions()
        print(  # the figures the report quotes (pytest -s)
            f"\nsubmits acknowledged: {len(acknowledged)}, before the backup began: "
            f"{len(before)}, of those in the restored database: {len(found)}; "
            f"acknowledged later: {len(after)}, of those in it: {kept_after}; "
            f"editions in the backup: {manifest['editions']['numbers']}"
        )
        assert set(found) == set(before)
        assert restored_editions == published
        assert set(found.values()) == {SUBMITTED}

        client = restored.test_client()
        display = codes.display(holder["code"])
        page = client.get(f"/kk/verify/{display}")
        assert page.status_code == 200
        assert "Әсел Қайратқызы Нұрланова" in page.get_data(as_text=True)
        assert client.get(f"/api/v1/certificates/{display}").json["status"] == "valid"
        shown = client.get(f"/api/v1/certificates/{codes.display(revoked['code'])}").json
        assert shown["status"] == "revoked"
        # The IIN recorded before the backup still matches: the IIN key came back too.
        check = client.post(f"/api/v1/certificates/{display}/identity-check", json={"iin": IIN})
        assert check.json["result"] == "match"
        # The offline data: the same key list, byte for byte, and the same status bits.
        restored_keys, restored_status = _published(client)
        assert restored_keys == key_list
        for bits in ("encodedList", "replacedList"):
            assert (
                restored_status["credentialSubject"][bits] == status_list["credentialSubject"][bits]
            )
        keys_document = json.loads(restored_keys)
        assert verification.verify(holder["qr"], keys_document, restored_status).status == "valid"
        verdict = verification.verify(revoked["qr"], keys_document, restored_status)
        assert verdict.status == "revoked"
    finally:
        with restored.app_context():
            db.engine.dispose()


@pytest.fixture
def made_backup(make_app, tmp_path) -> Path:
    """A backup of an instance with keys, an IIN key and a certificate."""
    app = make_app()
    _prepared(app)
    dest = tmp_path / "backup"
    backup(Place.from_app(app), dest, say=lambda line: None)
    return dest


def _restore(source: Path, url: str, instance: Path, *options: str):
    return CliRunner().invoke(main, ["restore", str(source), *options], env=_env(url, instance))


def _spoil_database(copy: Path) -> None:
    database = next((copy / "database").iterdir())
    data = bytearray(database.read_bytes())
    data[len(data) // 2] ^= 0x01
    database.write_bytes(bytes(data))


def _unexpected_version(copy: Path) -> None:
    manifest = json.loads((copy / MANIFEST).read_text())
    manifest["format_version"] = 99
    (copy / MANIFEST).write_text(json.dumps(manifest))


SPOILED = {
    "a byte of the database flipped": (_spoil_database, "has changed since the backup"),
    "no manifest (a partial backup)": (
        lambda copy: (copy / MANIFEST).unlink(),
        "manifest.json is missing",
    ),
    "a key file deleted": (
        lambda copy: next((copy / "keys").glob("signing-*.pem")).unlink(),
        "is missing from the backup",
    ),
    "the IIN key moved apart and not given": (
        lambda copy: (copy / "iin" / "iin_hmac_key").unlink(),
        "--iin-key FILE",
    ),
    "an unexpected format version": (_unexpected_version, "unexpected backup format"),
}


@pytest.mark.parametrize("spoil", SPOILED, ids=list(SPOILED))
def test_a_spoiled_backup_is_refused_and_nothing_is_written(made_backup, target, tmp_path, spoil):
    change, message = SPOILED[spoil]
    copy = tmp_path / "copy"
    shutil.copytree(made_backup, copy)
    change(copy)
    instance = tmp_path / "restored"
    refused = _restore(copy, target, instance)
    assert refused.exit_code == 1
    assert "restore refused" in refused.stderr
    assert message in refused.stderr
    assert not instance.exists()
    assert _tables(target) == 0


def test_a_target_that_is_not_fresh_is_refused(made_backup, database_url, target, tmp_path):
    # The database the backup came from has tables.
    instance = tmp_path / "other"
    refused = _restore(made_backup, database_url, instance)
    assert refused.exit_code == 1
    assert "the target database is not empty" in refused.stderr
    assert not (instance / "keys").exists()
    # An instance that has keys of its own.
    (instance / "keys").mkdir(parents=True)
    (instance / "keys" / "keyring.json").write_text("{}")
    refused = _restore(made_backup, target, instance)
    assert refused.exit_code == 1
    assert "already has keys" in refused.stderr
    assert _tables(target) == 0


def test_the_iin_key_kept_apart_is_given_with_iin_key(made_backup, target, tmp_path):
    vault = tmp_path / "vault"
    shutil.move(made_backup / "iin", vault)  # as the warning says: stored apart
    instance = tmp_path / "restored"
    done = _restore(made_backup, target, instance, "--iin-key", str(vault / "iin_hmac_key"))
    assert done.exit_code == 0, done.output
    assert (instance / "iin_hmac_key").read_bytes() == (vault / "iin_hmac_key").read_bytes()
    assert _tables(target) > 0
    # A wrong key file is refused by its checksum.
    (tmp_path / "wrong").write_text("w" * 64)
    again = _restore(made_backup, target, tmp_path / "third", "--iin-key", str(tmp_path / "wrong"))
    assert again.exit_code == 1
    assert "has changed since the backup" in again.stderr


def test_backup_refuses_a_folder_that_is_not_empty(app, tmp_path):
    dest = tmp_path / "used"
    dest.mkdir()
    (dest / "something").write_text("x")
    env = _env(app.config["SQLALCHEMY_DATABASE_URI"], Path(app.instance_path))
    made = CliRunner().invoke(main, ["backup", str(dest)], env=env)
    assert made.exit_code == 1
    assert "is not an empty folder" in made.stderr
    assert [p.name for p in dest.iterdir()] == ["something"]


def test_a_backup_of_an_older_schema_is_migrated_after_the_restore(tmp_path):
    from flask_migrate import upgrade

    from course.core.backup import schema_revisions

    older = "8d2b6c4e1f07"  # the revision before the newest
    head, _ = schema_revisions()
    assert older != head
    source = create_app(app_config(f"sqlite:///{tmp_path / 'old.sqlite'}", tmp_path / "old"))
    with source.app_context():
        upgrade(revision=older)
        db.engine.dispose()
    dest = tmp_path / "backup"
    assert (
        backup(Place.from_app(source), dest, say=lambda line: None)["database"]["alembic_revision"]
        == older
    )
    url = f"sqlite:///{tmp_path / 'new' / 'course.sqlite'}"
    env = {
        **_env(url, tmp_path / "new"),
        "SECRET_KEY": SECRET,
        "COURSE_CONTENT": str(FIXTURE_CONTENT),
    }
    done = CliRunner().invoke(main, ["restore", str(dest)], env=env)
    assert done.exit_code == 0, done.output
    assert f"The database is at revision {older}; upgrading to {head}." in done.stdout
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT version_num FROM alembic_version")) == head
    finally:
        engine.dispose()
