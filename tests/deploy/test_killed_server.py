"""The server process killed (SIGKILL, no chance to clean up) at random moments while
learners submit their final exam, which grades it, records the completion and issues the
certificate with its PDF and status-list place: after a restart nothing is half-written
and nothing the server acknowledged is missing.

Each round brings learners to the open final exam, has them all submit at once, kills
`course serve` (master and workers) after a random delay, starts it again on the same
database and checks: every attempt is either still open with no grade, or submitted with
every answer graded; a submitted final exam that passed has its completion and exactly
one certificate, with a PDF; every acknowledged submit (303) is among those; and the
restarted server answers the learner's pages."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import requests
from sqlalchemy import func, select

from course import create_app
from course.core.content.store import PublishedEdition
from course.core.db import db
from course.modules.accounts.services import people
from course.modules.certificates import codes, keys
from course.modules.certificates.models import Certificate
from course.modules.organisations import services as organisations
from course.modules.organisations.models import VerificationLog
from course.modules.quizzes.models import (
    OPEN,
    SUBMITTED,
    Attempt,
    AttemptQuestion,
    CourseCompletion,
)
from tests.deploy.test_rush import _learners_at_the_final_exam, _open_exam
from tests.support import factories
from tests.support.app import FIXTURE_CONTENT, SECRET, app_config, empty_tables
from tests.support.clients import client_for, csrf_token_from
from tests.support.organisations import application, valid_bin
from tests.support.servers import AppServer, signed_in

pytestmark = pytest.mark.slow

ROUNDS = int(os.environ.get("KILL_ROUNDS", "4"))
LEARNERS = 16
BASE_URL = "http://127.0.0.1:8000"


@pytest.fixture
def killable(database_url, tmp_path, monkeypatch):
    keys_dir = tmp_path / "keys"
    keys.Keyring(keys_dir).init(datetime.now(UTC), BASE_URL)
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "COURSE_KEYS_DIR": str(keys_dir),
        "COURSE_BASE_URL": BASE_URL,
        "COURSE_INSTANCE": str(tmp_path / "instance-server"),
        "COURSE_CONTENT": str(FIXTURE_CONTENT),
        "SIGN_IN_RATE_LIMIT": "100000 per minute",
    }
    app = create_app(
        app_config(
            database_url,
            tmp_path / "instance-test",
            KEYS_DIR=str(keys_dir),
            COURSE_BASE_URL=BASE_URL,
            DATABASE_BUSY_TIMEOUT=10,
        )
    )
    shared = people.hash_password(factories.PASSWORD)
    monkeypatch.setattr(people, "hash_password", lambda _password: shared)
    started: list[AppServer] = []

    def start(name: str, **more: str) -> AppServer:
        server = AppServer(name, tmp_path, {**env, **more}, workers=2)
        started.append(server)
        assert server.wait_until_up()["database"] == "ok"
        return server

    try:
        yield app, start
    finally:
        for server in started:
            server.stop()
        with app.app_context():
            db.engine.dispose()
        empty_tables(app)


def _kill(server: AppServer) -> None:
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait(20)


def _state(app, user_ids: list[int]) -> dict:
    with app.app_context():
        attempts = db.session.execute(
            select(Attempt.id, Attempt.user_id, Attempt.kind, Attempt.status, Attempt.passed).where(
                Attempt.user_id.in_(user_ids)
            )
        ).all()
        graded = dict(
            db.session.execute(
                select(AttemptQuestion.attempt_id, func.count())
                .where(AttemptQuestion.attempt_id.in_([a.id for a in attempts]))
                .where(AttemptQuestion.correct.is_not(None), AttemptQuestion.chosen.is_not(None))
                .group_by(AttemptQuestion.attempt_id)
            ).all()
        )
        drawn = dict(
            db.session.execute(
                select(AttemptQuestion.attempt_id, func.count())
                .where(AttemptQuestion.attempt_id.in_([a.id for a in attempts]))
                .group_by(AttemptQuestion.attempt_id)
            ).all()
        )
        completions = dict(
            db.session.execute(
                select(CourseCompletion.user_id, func.count())
                .where(CourseCompletion.user_id.in_(user_ids))
                .group_by(CourseCompletion.user_id)
            ).all()
        )
        certificates = dict(
            db.session.execute(
                select(Certificate.user_id, func.count())
                .where(Certificate.user_id.in_(user_ids))
                .where(func.length(Certificate.pdf) > 1000)
                .group_by(Certificate.user_id)
            ).all()
        )
        all_certificates = dict(
            db.session.execute(
                select(Certificate.user_id, func.count())
                .where(Certificate.user_id.in_(user_ids))
                .group_by(Certificate.user_id)
            ).all()
        )
    return {
        "attempts": attempts,
        "graded": graded,
        "drawn": drawn,
        "completions": completions,
        "certificates": certificates,
        "all_certificates": all_certificates,
    }


def _round(app, start, number: int, delay: float) -> tuple[int, int, int]:
    """One round: submits, a kill after `delay` seconds, a restart, the checks. Returns
    (submits, acknowledged, stored complete)."""
    server = start(f"kill-{number}")
    ready = _learners_at_the_final_exam(app, LEARNERS)
    with ThreadPoolExecutor(8) as pool:
        opened = list(pool.map(lambda learner: _open_exam(server, learner), ready))
    barrier = threading.Barrier(len(opened) + 1)
    answers: list = [None] * len(opened)

    def submit(i: int) -> None:
        learner = opened[i]
        data = [*learner["fields"], ("csrf_token", learner["csrf"])]
        barrier.wait()
        try:
            response = learner["session"].post(
                f"{server.url}{learner['path']}", data=data, allow_redirects=False, timeout=60
            )
            answers[i] = response.status_code
        except requests.RequestException:
            answers[i] = None  # cut off by the kill: not acknowledged

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(opened))]
    for thread in threads:
        thread.start()
    barrier.wait()
    time.sleep(delay)
    _kill(server)
    for thread in threads:
        thread.join(60)
    assert {a for a in answers if a is not None} <= {303}, answers
    acknowledged = {opened[i]["user_id"] for i, a in enumerate(answers) if a == 303}

    again = start(f"kill-{number}-restarted")
    state = _state(app, [learner["user_id"] for learner in opened])
    passed_finals = set()
    for attempt in state["attempts"]:
        graded = state["graded"].get(attempt.id, 0)
        if attempt.status == OPEN:
            assert graded == 0, attempt  # nothing graded of an attempt still open
        else:
            assert attempt.status == SUBMITTED, attempt
            # Every answer kept and graded: never a grade without its answers.
            assert graded == state["drawn"][attempt.id], attempt
            if attempt.kind == "final" and attempt.passed:
                passed_finals.add(attempt.user_id)
    # A passed final exam has its completion and exactly one certificate, with its PDF.
    assert state["completions"] == dict.fromkeys(passed_finals, 1)
    assert state["certificates"] == dict.fromkeys(passed_finals, 1)
    assert state["all_certificates"] == state["certificates"]
    # Nothing acknowledged is missing.
    assert acknowledged <= passed_finals
    # The restarted server serves the learners again, those cut off included: never a 500.
    for learner in opened:
        browser = requests.Session()
        browser.cookies.update(learner["session"].cookies)
        response = browser.get(f"{again.url}{learner['path']}", timeout=30)
        assert response.status_code in (200, 303), response.status_code
    again.stop()
    return len(opened), len(acknowledged), len(passed_finals)


def test_a_server_killed_during_final_exam_submits_leaves_nothing_half_written(killable):
    app, start = killable
    rng = random.Random(os.environ.get("KILL_SEED") or None)
    report, cut_off = [], 0
    for number in range(ROUNDS):
        # Within the time the submits take, so that the kill lands among them.
        delay = rng.uniform(0.05, 0.6)
        submits, acknowledged, stored = _round(app, start, number, delay)
        cut_off += submits - acknowledged
        report.append(
            f"round {number + 1}: killed after {delay:.2f} s; {acknowledged} of {submits} "
            f"submits acknowledged, {stored} stored complete, nothing half-written"
        )
    print("\n" + "\n".join(report))
    assert cut_off > 0, "no kill landed among the submits: the test showed nothing"


def test_a_server_killed_during_a_publish_leaves_no_edition_half_published(
    database_url, tmp_path, killable
):
    app, start = killable
    content = tmp_path / "content-killed-publish"
    shutil.copytree(FIXTURE_CONTENT, content)
    with app.app_context():
        trainer = factories.make_user(role="trainer")
        db.session.commit()
        email = trainer.email
    rng = random.Random(os.environ.get("KILL_SEED") or None)
    report, cut_off = [], 0
    # How long a publish takes here, so that the kills land within it.
    server = start("publish-timed", COURSE_CONTENT=str(content))
    session = signed_in(server, email)
    page = session.get(f"{server.url}/kk/trainer/publish", timeout=30)
    began = time.monotonic()
    timed = session.post(
        f"{server.url}/kk/trainer/publish",
        data={
            "law_in_force_on": "2026-11-01",
            "review_note": "Сверено с законом.",
            "csrf_token": csrf_token_from(page.text),
        },
        allow_redirects=False,
        timeout=60,
    )
    takes = time.monotonic() - began
    assert timed.status_code == 303
    server.stop()
    for number in range(ROUNDS):
        server = start(f"publish-{number}", COURSE_CONTENT=str(content))
        before = server.wait_until_up()["edition"]
        session = signed_in(server, email)
        page = session.get(f"{server.url}/kk/trainer/publish", timeout=30)
        assert page.status_code == 200, page.text[:500]
        form = {
            "law_in_force_on": "2026-11-01",
            "review_note": "Сверено с законом.",
            "csrf_token": csrf_token_from(page.text),
        }
        answer: list = [None]

        def publish(form=form, session=session, server=server, answer=answer) -> None:
            try:
                response = session.post(
                    f"{server.url}/kk/trainer/publish", data=form, allow_redirects=False, timeout=60
                )
                answer[0] = response.status_code
            except requests.RequestException:
                answer[0] = None

        thread = threading.Thread(target=publish)
        thread.start()
        delay = rng.uniform(0.0, takes)
        time.sleep(delay)
        _kill(server)
        thread.join(60)
        assert answer[0] in (None, 303), answer
        again = start(f"publish-{number}-restarted", COURSE_CONTENT=str(content))
        now = again.wait_until_up()["edition"]
        assert now in (before, before + 1)
        if answer[0] == 303:
            assert now == before + 1  # acknowledged: published
        else:
            cut_off += 1
        with app.app_context():
            stored = db.session.execute(
                select(PublishedEdition.number, PublishedEdition.archive_sha256)
            ).all()
            # Every stored edition is whole: its archive matches its checksum and loads.
            for row in stored:
                archive = db.session.scalar(
                    select(PublishedEdition.archive).where(PublishedEdition.number == row.number)
                )
                assert hashlib.sha256(archive).hexdigest() == row.archive_sha256
            assert max(r.number for r in stored) == now
        report.append(
            f"publish round {number + 1}: killed after {delay:.2f} s; "
            f"{'acknowledged' if answer[0] == 303 else 'cut off'}; edition {before} -> {now}"
        )
        again.stop()
    print(f"\na publish takes {takes:.2f} s here\n" + "\n".join(report))
    assert cut_off > 0, "no kill landed during a publish: the test showed nothing"


def test_a_server_killed_during_a_bulk_check_keeps_only_whole_batches_in_the_log(killable):
    app, start = killable
    client, _head_id, head_email = client_for(app)
    number = valid_bin("9001017")
    assert client.post("/kk/organisations/apply", data=application(number)).status_code == 302
    admin, _admin_id, _ = client_for(app, role="admin")
    with app.app_context():
        organisation_id = organisations.pending()[0].id
    decided = admin.post(
        "/kk/admin/organisations", data={"organisation": organisation_id, "action": "approve"}
    )
    assert decided.status_code == 302
    rows = organisations.MAX_BULK_ROWS
    batch = "\n".join(codes.display(codes.new_code()) for _ in range(rows))
    rng = random.Random(os.environ.get("KILL_SEED") or None)
    report, cut_off = [], 0
    # How long the whole check takes here, so that the kills land within it.
    server = start("bulk-timed")
    form = _bulk_form(server, head_email)
    began = time.monotonic()
    timed = _bulk_check(server, form, batch)
    takes = time.monotonic() - began
    assert timed["finished"]
    server.stop()
    for number in range(ROUNDS):
        server = start(f"bulk-{number}")
        with app.app_context():
            before = _logged(organisation_id)
        result: dict = {}
        form = _bulk_form(server, head_email)
        thread = threading.Thread(
            target=lambda server=server, form=form, result=result: result.update(
                _bulk_check(server, form, batch)
            )
        )
        thread.start()
        delay = rng.uniform(0.3, max(0.4, takes))
        time.sleep(delay)
        _kill(server)
        thread.join(60)
        again = start(f"bulk-{number}-restarted")
        with app.app_context():
            logged = _logged(organisation_id) - before
        # Whole batches of 1,000 only, at least those whose progress line was sent.
        assert logged % 1000 == 0, logged
        assert logged >= 1000 * result.get("progress", 0)
        if result.get("finished"):
            assert logged == rows
        else:
            cut_off += 1
        report.append(
            f"bulk round {number + 1}: killed after {delay:.2f} s; "
            f"{'finished' if result.get('finished') else 'cut off'}; "
            f"{logged:,} of {rows:,} rows logged"
        )
        again.stop()
    print(f"\na bulk check of {rows:,} codes takes {takes:.2f} s here\n" + "\n".join(report))
    assert cut_off > 0, "no kill landed during a bulk check: the test showed nothing"


def _bulk_form(server: AppServer, email: str) -> tuple[requests.Session, str]:
    """The organisation's head signed in, and the CSRF token of the bulk check's form."""
    session = signed_in(server, email)
    page = session.get(f"{server.url}/kk/organisation/", timeout=30)
    assert page.status_code == 200
    return session, csrf_token_from(page.text)


def _bulk_check(server: AppServer, form: tuple[requests.Session, str], batch: str) -> dict:
    """Post the batch and read the streamed page line by line: how many progress lines
    came, and whether it finished."""
    session, token = form
    seen = {"progress": 0, "finished": False}
    try:
        with session.post(
            f"{server.url}/kk/organisation/verify",
            data={"codes": batch, "csrf_token": token},
            stream=True,
            timeout=120,
        ) as response:
            assert response.status_code == 200
            for line in response.iter_lines(decode_unicode=True):
                seen["progress"] += line.count("progress-line")
        seen["finished"] = True
    except requests.RequestException:
        pass  # cut off by the kill
    return seen


def _logged(organisation_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(VerificationLog)
        .where(VerificationLog.organisation_id == organisation_id)
    )
