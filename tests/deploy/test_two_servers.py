"""Two app servers, as docs/deploy.md ("Several app servers") says to run them: separate
`course serve` processes, each with its own instance folder and its own copy of the
content, on one database, one Redis, the same secrets and one keys folder. Everything a
learner, a trainer or a verifier does on one is seen on the other.

Written for PostgreSQL (TEST_DATABASE_URL); on SQLite the servers share the test's one
database file (WAL: several processes may read and write it on one machine), which holds
for everything tested here.
"""

from __future__ import annotations

import html
import re
import secrets
import shutil
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from course import create_app
from course.core.content.published import current_course
from course.core.db import db
from course.modules.certificates import keys, statuslist
from course.modules.certificates import services as certificates
from course.modules.certificates.models import Certificate
from course.modules.quizzes import services as quizzes
from tests.support import factories
from tests.support.app import FIXTURE_CONTENT, SECRET, app_config, empty_tables
from tests.support.certificates import complete_course
from tests.support.clients import csrf_token_from
from tests.support.i18n import t
from tests.support.quizzes import answers_for, form_for, read_lessons
from tests.support.servers import AppServer, signed_in

pytestmark = [pytest.mark.postgresql, pytest.mark.slow]

BASE_URL = "http://127.0.0.1:8000"  # the public address: the same on every server
IIN_KEY = "shared-iin-key-" + "k" * 40


def _redis_or_fail(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis is not running at 127.0.0.1:6379 (.ci/run starts it)")


@pytest.fixture(scope="module")
def deployment(database_url, tmp_path_factory):
    """Servers "a" and "b", and an app of the test's own on the same database and keys
    (to set up learners as the course would have them), emptied afterwards."""
    folder = tmp_path_factory.mktemp("deployment")
    redis_url = "redis://127.0.0.1:6379/0"
    _redis_or_fail(redis_url)
    keys_dir = folder / "keys"
    keys.Keyring(keys_dir).init(datetime.now(UTC), BASE_URL)  # `course keys init`, once
    shared = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "IIN_HMAC_KEY": IIN_KEY,
        "COURSE_KEYS_DIR": str(keys_dir),
        "COURSE_BASE_URL": BASE_URL,
        "RATELIMIT_STORAGE_URI": redis_url,
        # This run's counters only (a shared Redis may hold other runs' counters).
        "RATELIMIT_KEY_PREFIX": f"test-two-servers-{secrets.token_hex(4)}",
        "VERIFY_RATE_LIMIT": "3 per minute",
    }
    servers = {}
    for name in ("a", "b"):
        content = folder / f"content-{name}"
        shutil.copytree(FIXTURE_CONTENT, content)
        servers[name] = AppServer(
            name,
            folder,
            {
                **shared,
                "COURSE_INSTANCE": str(folder / f"instance-{name}"),
                "COURSE_CONTENT": str(content),
                "COURSE_SERVER_NAME": f"server-{name}",
            },
        )
    app = create_app(
        app_config(
            database_url,
            folder / "instance-test",
            KEYS_DIR=str(keys_dir),
            IIN_HMAC_KEY=IIN_KEY,
            COURSE_BASE_URL=BASE_URL,
            DATABASE_BUSY_TIMEOUT=10,
        )
    )
    try:
        for server in servers.values():
            assert server.wait_until_up()["database"] == "ok"
        yield {"app": app, "folder": folder, **servers}
    finally:
        for server in servers.values():
            server.stop()
        with app.app_context():
            db.engine.dispose()
        empty_tables(app)


def _person(app, **fields) -> dict:
    with app.app_context():
        made = factories.make_user(**fields)
        db.session.commit()
        return {"id": made.id, "email": made.email}


def _copy(session: requests.Session) -> requests.Session:
    """Another browser holding the same cookies."""
    other = requests.Session()
    other.cookies.update(session.cookies)
    return other


def _account_page(server: AppServer, session: requests.Session) -> requests.Response:
    return session.get(f"{server.url}/kk/account", allow_redirects=False, timeout=20)


def test_a_session_from_one_server_holds_on_the_other_and_signing_out_ends_both(deployment):
    a, b = deployment["a"], deployment["b"]
    person = _person(deployment["app"], full_name="Айгүл Серікқызы Бекова")
    on_a = signed_in(a, person["email"])
    on_b = _copy(on_a)  # the load balancer sends the same browser to the other server
    for server, session in ((a, on_a), (b, on_b)):
        page = _account_page(server, session)
        assert page.status_code == 200, server.name
        assert "Айгүл Серікқызы Бекова" in page.text
    # Signing out on b ends the session everywhere, copies of its cookie included.
    token = csrf_token_from(_account_page(b, on_b).text)
    signed_out = on_b.post(
        f"{b.url}/kk/sign-out", data={"csrf_token": token}, allow_redirects=False, timeout=20
    )
    assert signed_out.status_code in (302, 303)
    for server in (a, b):
        page = _account_page(server, _copy(on_a))
        assert page.status_code == 302, server.name
        assert "/sign-in" in page.headers["Location"]


def test_a_rate_limit_counts_across_both_servers(deployment):
    a, b = deployment["a"], deployment["b"]

    def verify_page(server):
        return requests.get(f"{server.url}/kk/verify", timeout=20).status_code

    # 3 per minute per address: two on a and one on b use it up, for both.
    assert [verify_page(s) for s in (a, b, a)] == [200, 200, 200]
    assert verify_page(b) == 429
    assert verify_page(a) == 429


def test_completing_the_course_on_both_servers_at_once_issues_one_certificate(deployment):
    app, a, b = deployment["app"], deployment["a"], deployment["b"]
    with app.app_context():
        course = current_course()
        user = factories.make_user()
        db.session.commit()
        user_id, email = user.id, user.email
        read_lessons(user_id, course)
        quiz = quizzes.start_attempt(
            user_id, course, quizzes.quiz_info(course, quizzes.MODULE, "alpha")
        )
        quizzes.submit(quiz, answers_for(quiz, course), "kk", course)
        exam = quizzes.start_attempt(user_id, course, quizzes.quiz_info(course, quizzes.FINAL))
        db.session.commit()
        fields = form_for(exam, course, SECRET, answers_for(exam, course))
        url = f"/kk/attempts/{exam.public_id}"
    # The learner has the exam open on both servers (two tabs behind a load balancer).
    posts = []
    for server in (a, b):
        session = signed_in(server, email)
        page = session.get(f"{server.url}{url}", timeout=20)
        assert page.status_code == 200, page.text
        posts.append((server, session, [*fields, ("csrf_token", csrf_token_from(page.text))]))
    barrier = threading.Barrier(len(posts))
    answers: list = [None] * len(posts)

    def submit(i: int) -> None:
        server, session, data = posts[i]
        barrier.wait()
        answers[i] = session.post(
            f"{server.url}{url}", data=data, allow_redirects=False, timeout=60
        )

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert sorted(r.status_code for r in answers) == [303, 400], answers
    # Both servers took the answers as valid: the one that did not grade them was told
    # the attempt was submitted already (not that the form made no sense to it).
    [refused] = [r for r in answers if r.status_code == 400]
    assert t(app, "kk", "This attempt has been submitted already; it cannot be changed.") in (
        html.unescape(refused.text)
    )
    with app.app_context():
        issued = db.session.scalar(
            select(func.count()).select_from(Certificate).where(Certificate.user_id == user_id)
        )
        assert issued == 1
        assert quizzes.completion(user_id, course.edition) is not None


def _lesson_text(content: Path, lang: str) -> Path:
    return content / lang / "alpha" / "first.md"


def _edition(server: AppServer) -> int:
    return requests.get(f"{server.url}/healthz", timeout=20).json()["edition"]


def _seconds_until(server: AppServer, edition: int, since: float) -> float | None:
    """How long after `since` the server first serves `edition` (None: not in 5 s).
    Asked every 50 ms, so the server checks the database at each of its intervals."""
    while time.monotonic() - since < 5:
        if _edition(server) == edition:
            return time.monotonic() - since
        time.sleep(0.05)
    return None


def test_a_publish_on_one_server_is_served_by_the_other_within_a_second(deployment):
    app, a, b, folder = deployment["app"], deployment["a"], deployment["b"], deployment["folder"]
    trainer = _person(app, role="trainer", full_name="Гүлнар Серікқызы Әлиева")
    learner = _person(app)
    before = _edition(b)
    # The trainer's draft: the working copy on server a (the editing server).
    content_a = folder / "content-a"
    marker = f"Жаңа ереже {secrets.token_hex(3)}"
    for lang, text in (("kk", marker), ("ru", f"Новое правило {marker[-6:]}")):
        path = _lesson_text(content_a, lang)
        path.write_text(
            path.read_text("utf-8").rstrip() + f"\n\n{text}\n", encoding="utf-8", newline="\n"
        )
    editor = signed_in(a, trainer["email"])
    page = editor.get(f"{a.url}/kk/trainer/publish", timeout=20)
    assert page.status_code == 200, page.text
    # Server b's editor refuses: the draft is server a's files.
    elsewhere = signed_in(b, trainer["email"]).get(f"{b.url}/kk/trainer/", timeout=20)
    assert elsewhere.status_code == 409
    assert "server-a" in elsewhere.text
    reader_on_b = signed_in(b, learner["email"])
    lesson_on_b = f"{b.url}/kk/learn/alpha/first"
    assert marker not in reader_on_b.get(lesson_on_b, timeout=20).text
    form = {
        "law_in_force_on": "2026-11-01",
        "review_note": "Сверено с законом.",
        "reviewed-alpha": "2026-11-02",
        "csrf_token": csrf_token_from(page.text),
    }

    def publish() -> float:
        response = editor.post(
            f"{a.url}/kk/trainer/publish", data=form, allow_redirects=False, timeout=60
        )
        assert response.status_code == 303, response.text
        return time.monotonic()

    done = publish()
    assert _edition(a) == before + 1  # the publishing server serves it at once
    first = _seconds_until(b, before + 1, done)
    # Its text comes from the database: server b's own content folder never had it.
    assert marker in reader_on_b.get(lesson_on_b, timeout=20).text
    assert marker not in _lesson_text(folder / "content-b", "kk").read_text("utf-8")
    # The worst case: b has just checked (it just saw the first) when the next lands.
    second = _seconds_until(b, before + 2, publish())
    # One check a second, plus loading the edition and this shared machine's noise.
    for seen in (first, second):
        assert seen is not None, "server b never served the new edition"
        assert seen < 1.5, f"served {seen:.2f} s after the publish"


def _kid(document: dict) -> str:
    return document["proof"]["verificationMethod"].rsplit("#", 1)[1]


def test_both_servers_serve_the_same_key_list_and_status_list(deployment):
    app, a, b = deployment["app"], deployment["a"], deployment["b"]
    admin = _person(app, role="admin")
    with app.app_context():
        user_id = complete_course()
        certificate = certificates.current_certificate(user_id)
        certificates.revoke(certificate, admin["id"], "issued_in_error", "Тест.")
        db.session.commit()
        revoked_index = certificate.status_index
    key_lists = [
        requests.get(f"{s.url}/.well-known/course-keys.json", timeout=20).json() for s in (a, b)
    ]
    assert key_lists[0] == key_lists[1]
    assert keys.verify_key_list(key_lists[0])
    [active] = [k["kid"] for k in key_lists[0]["keys"] if k["status"] == keys.ACTIVE]
    status_lists = [requests.get(f"{s.url}/status/1", timeout=20).json() for s in (a, b)]
    subjects = [document["credentialSubject"] for document in status_lists]
    assert subjects[0]["encodedList"] == subjects[1]["encodedList"]
    assert statuslist.is_set(statuslist.decode(subjects[0]["encodedList"]), revoked_index)
    assert [_kid(document) for document in status_lists] == [active, active]
    # Both signed with the shared active key, as a verifier checks them.
    assert all(
        re.fullmatch(r"did:web:127\.0\.0\.1%3A8000#[0-9a-f]+", d["proof"]["verificationMethod"])
        for d in status_lists
    )
