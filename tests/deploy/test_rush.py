"""The rush before an election: many learners finish the course at the same moment
against `course serve` (real HTTP, separate server processes, 2 workers), and each
attempt is stored exactly once, each learner gets exactly one certificate, and no
request fails. RUSH_LEARNERS sets how many (200 by default; bench/README.md: larger by
hand). The time it took and the p99 of the submits are printed."""

from __future__ import annotations

import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import requests
from sqlalchemy import func, select

from course import create_app
from course.core.content.published import current_course
from course.core.db import db
from course.modules.accounts.services import people
from course.modules.certificates import keys
from course.modules.certificates.models import Certificate
from course.modules.quizzes import services as quizzes
from course.modules.quizzes.models import OPEN, Attempt, AttemptQuestion, CourseCompletion
from tests.support import factories
from tests.support.app import FIXTURE_CONTENT, SECRET, app_config, empty_tables
from tests.support.clients import csrf_token_from
from tests.support.quizzes import answers_for, form_for, read_lessons
from tests.support.servers import AppServer, signed_in

pytestmark = pytest.mark.slow

LEARNERS = int(os.environ.get("RUSH_LEARNERS", "200"))
BASE_URL = "http://127.0.0.1:8000"


@pytest.fixture
def rush(database_url, tmp_path, monkeypatch):
    """One server with two workers, and an app of the test's own on the same database and
    keys, emptied afterwards."""
    keys_dir = tmp_path / "keys"
    keys.Keyring(keys_dir).init(datetime.now(UTC), BASE_URL)
    server = AppServer(
        "rush",
        tmp_path,
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET,
            "COURSE_KEYS_DIR": str(keys_dir),
            "COURSE_BASE_URL": BASE_URL,
            "COURSE_INSTANCE": str(tmp_path / "instance-rush"),
            "COURSE_CONTENT": str(FIXTURE_CONTENT),
            # Everyone signs in from 127.0.0.1 here; the limit is for one address's guesses.
            "SIGN_IN_RATE_LIMIT": "100000 per minute",
        },
        workers=2,
    )
    app = create_app(
        app_config(
            database_url,
            tmp_path / "instance-test",
            KEYS_DIR=str(keys_dir),
            COURSE_BASE_URL=BASE_URL,
            DATABASE_BUSY_TIMEOUT=10,
        )
    )
    # One argon2 hash for every learner of the setup (the server still checks it at sign-in).
    shared = people.hash_password(factories.PASSWORD)
    monkeypatch.setattr(people, "hash_password", lambda _password: shared)
    try:
        assert server.wait_until_up()["database"] == "ok"
        yield app, server
    finally:
        server.stop()
        with app.app_context():
            db.engine.dispose()
        empty_tables(app)


def _learners_at_the_final_exam(app, count: int = LEARNERS) -> list[dict]:
    """`count` people who read every lesson and passed every quiz, each with the final
    exam open: what each will submit."""
    ready = []
    with app.app_context():
        course = current_course()
        for _ in range(count):
            user = factories.make_user()
            db.session.flush()
            read_lessons(user.id, course)
            for module in course.modules:
                if module.quiz is None:
                    continue
                quiz = quizzes.start_attempt(
                    user.id, course, quizzes.quiz_info(course, quizzes.MODULE, module.id)
                )
                quizzes.submit(quiz, answers_for(quiz, course), "kk", course)
            exam = quizzes.start_attempt(user.id, course, quizzes.quiz_info(course, quizzes.FINAL))
            db.session.commit()
            ready.append(
                {
                    "user_id": user.id,
                    "email": user.email,
                    "path": f"/kk/attempts/{exam.public_id}",
                    "fields": form_for(exam, course, SECRET, answers_for(exam, course)),
                    "questions": len(exam.questions),
                }
            )
    return ready


def _open_exam(server: AppServer, learner: dict) -> dict:
    session = signed_in(server, learner["email"])
    exam = session.get(f"{server.url}{learner['path']}", timeout=60)
    assert exam.status_code == 200, exam.text[:300]
    return {**learner, "session": session, "csrf": csrf_token_from(exam.text)}


def test_many_learners_finishing_at_once_get_one_stored_attempt_and_one_certificate_each(
    rush, capsys
):
    app, server = rush
    ready = _learners_at_the_final_exam(app)
    with ThreadPoolExecutor(16) as pool:
        opened = list(pool.map(lambda learner: _open_exam(server, learner), ready))
    barrier = threading.Barrier(len(opened))
    results: list = [None] * len(opened)

    def submit(i: int) -> None:
        learner = opened[i]
        data = [*learner["fields"], ("csrf_token", learner["csrf"])]
        barrier.wait()
        started = time.monotonic()
        try:
            response = learner["session"].post(
                f"{server.url}{learner['path']}", data=data, allow_redirects=False, timeout=300
            )
            results[i] = (response.status_code, time.monotonic() - started)
        except requests.RequestException as e:  # counted as a failure below
            results[i] = (repr(e), time.monotonic() - started)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(opened))]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    took = time.monotonic() - began
    statuses = [status for status, _ in results]
    latencies = sorted(seconds for _, seconds in results)
    p99 = latencies[max(0, round(0.99 * len(latencies)) - 1)]
    with capsys.disabled():
        print(
            f"\nrush: {len(opened)} learners submitted the final exam at once: "
            f"all answered in {took:.1f} s, p50 {latencies[len(latencies) // 2]:.2f} s, "
            f"p99 {p99:.2f} s ({db_kind(app)})"
        )
    assert statuses == [303] * len(opened), sorted(set(map(str, statuses)))

    user_ids = [learner["user_id"] for learner in opened]
    with app.app_context():
        final = quizzes.FINAL

        def per_user(query) -> dict[int, int]:
            return dict(db.session.execute(query.group_by("user_id")).all())

        finals = per_user(
            select(Attempt.user_id, func.count())
            .where(Attempt.user_id.in_(user_ids), Attempt.kind == final)
            .where(Attempt.status != OPEN)
        )
        completions = per_user(
            select(CourseCompletion.user_id, func.count()).where(
                CourseCompletion.user_id.in_(user_ids)
            )
        )
        issued = per_user(
            select(Certificate.user_id, func.count()).where(Certificate.user_id.in_(user_ids))
        )
        answered = dict(
            db.session.execute(
                select(Attempt.user_id, func.count(AttemptQuestion.id))
                .join(AttemptQuestion, AttemptQuestion.attempt_id == Attempt.id)
                .where(Attempt.user_id.in_(user_ids), Attempt.kind == final)
                # Graded, with the learner's answer kept: never a grade without answers.
                .where(AttemptQuestion.correct.is_(True), AttemptQuestion.chosen.is_not(None))
                .group_by(Attempt.user_id)
            ).all()
        )
        with_pdf = db.session.scalar(
            select(func.count())
            .select_from(Certificate)
            .where(Certificate.user_id.in_(user_ids), func.length(Certificate.pdf) > 1000)
        )
    assert finals == dict.fromkeys(user_ids, 1)
    assert completions == dict.fromkeys(user_ids, 1)
    assert issued == dict.fromkeys(user_ids, 1)
    assert answered == {learner["user_id"]: learner["questions"] for learner in opened}
    assert with_pdf == len(user_ids)
    log = server.log.read_text(errors="replace")
    assert "Traceback" not in log
    assert not re.search(r'HTTP/1\.[01]" 5\d\d ', log)  # no 5xx in the access log
    assert log.count('" 303 ') >= len(opened)


def db_kind(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0]
