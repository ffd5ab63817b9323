"""Open quiz attempts to submit under load, each with a complete, valid answer form.

An attempt is accepted once, so the quiz-submit scenario needs one per request. They are
written as `quizzes.services.start_attempt` writes them (every question of the module's
quiz, shuffled; option orders from quizzes.selection; opaque option values from
quizzes.tokens), for "pool-…" learners who have read every lesson. One learner may have one
open attempt per quiz, hence size/8 learners; they are made once and kept, and their
earlier attempts are deleted, so repeated runs start alike.

Their sessions are started in-process with the app's own sign-in code
(`accounts.views._start_session`: Flask-Login and the session limits) and Flask-WTF's CSRF
token, then serialised by Flask's session interface: a real sign-in per learner would cost
an argon2 verification (about 0.4 s on this machine) for thousands of learners. The three
genuine accounts sign in through the real form.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import flask
from bulk import full_name, some_answer
from flask import current_app
from flask_wtf.csrf import generate_csrf
from seeding import PASSWORD, USER_AGENT, Writer
from sqlalchemy import select

from course.core.content.published import current_course
from course.core.db import db
from course.modules.accounts import services as accounts
from course.modules.accounts import views as account_views
from course.modules.accounts.models import User
from course.modules.learning.models import LessonProgress
from course.modules.quizzes import selection
from course.modules.quizzes.models import Attempt, AttemptQuestion
from course.modules.quizzes.tokens import option_token

POOL_EMAIL = "pool-{:06d}@bench.example.kz"
POOL_LIKE = "pool-%@bench.example.kz"


@dataclass(frozen=True)
class Submission:
    path: str
    cookie: str
    body: str


def quiz_pool(size: int, log=print) -> list[Submission]:
    """`size` submissions, shuffled. Needs an app context (not a request)."""
    rng = random.Random()
    course = current_course()
    quizzes = [m.quiz for m in course.modules if m.quiz]
    needed = -(-size // len(quizzes))
    db.session.commit()  # every read below goes through the writer's connection
    writer = Writer(db.engine)
    conn = writer.connection
    now = datetime.now(UTC)
    secret = current_app.config["SECRET_KEY"]
    try:
        learners = _learners(writer, needed, course, now, log)
        old = select(Attempt.id).where(Attempt.user_id.in_(learners))
        conn.execute(AttemptQuestion.__table__.delete().where(AttemptQuestion.attempt_id.in_(old)))
        conn.execute(Attempt.__table__.delete().where(Attempt.user_id.in_(learners)))
        writer.commit()
        attempts, answers, forms = [], [], []
        attempt_id = writer.next_id(Attempt.__table__)
        answer_id = writer.next_id(AttemptQuestion.__table__)
        for n in range(size):
            uid, quiz = learners[n // len(quizzes)], quizzes[n % len(quizzes)]
            public_id = f"{rng.getrandbits(128):032x}"
            questions = list(quiz.questions)
            rng.shuffle(questions)
            attempts.append({
                "id": attempt_id, "public_id": public_id, "user_id": uid, "kind": "module",
                "quiz_id": quiz.id,
                "module_id": quiz.module_id, "edition": course.edition, "pass_mark": quiz.pass_mark,
                "status": "open", "started_at": now,
                "expires_at": now + timedelta(minutes=quiz.time_limit_minutes), "finished_at": None,
                "lang": None, "correct_count": None, "question_count": len(questions),
                "passed": None,
            })  # fmt: skip
            fields = []
            for position, question in enumerate(questions, start=1):
                order = selection.option_order(question, rng)
                answers.append({
                    "id": answer_id, "attempt_id": attempt_id, "position": position,
                    "question_id": question.id, "module_id": question.module_id,
                    "option_order": order, "chosen": None, "correct": None,
                })  # fmt: skip
                answer_id += 1
                value = {o: option_token(secret, public_id, question.id, o) for o in order}
                chosen = some_answer(question, rng, 0.7)
                if question.type == "ordering":
                    fields += [(f"q{position}-{value[o]}", str(chosen.index(o) + 1)) for o in order]
                else:
                    fields += [(f"q{position}", value[o]) for o in chosen]
            forms.append((uid, rng.choice(("kk", "ru")), public_id, fields))
            attempt_id += 1
        writer.write(Attempt.__table__, attempts)
        writer.write(AttemptQuestion.__table__, answers)
        writer.commit()
    finally:
        writer.close()
    sessions = {uid: session_of(uid) for uid in sorted({f[0] for f in forms})}
    submissions = []
    for uid, lang, public_id, fields in forms:
        cookie, csrf = sessions[uid]
        body = urlencode([("csrf_token", csrf), *fields, ("action", "submit")])
        submissions.append(Submission(f"/{lang}/attempts/{public_id}", cookie, body))
    rng.shuffle(submissions)  # learners spread over the connections
    return submissions


def _learners(writer: Writer, needed: int, course, now: datetime, log) -> list[int]:
    """The ids of `needed` pool learners with every lesson read (made when missing)."""
    conn = writer.connection
    query = select(User.id).where(User.email.like(POOL_LIKE)).order_by(User.id)
    have = len(list(conn.scalars(query)))
    if have < needed:
        rng = random.Random()
        users, progress = [], []
        user_id = writer.next_id(User.__table__)
        progress_id = writer.next_id(LessonProgress.__table__)
        password_hash = accounts.hash_password(PASSWORD)
        for n in range(have, needed):
            users.append({
                "id": user_id, "email": POOL_EMAIL.format(n), "full_name": full_name(rng, "kk"),
                "password_hash": password_hash, "session_token": f"{rng.getrandbits(128):032x}",
                "role": "learner", "locale": "kk", "consent_version": accounts.CONSENT_VERSION,
                "consent_at": now, "name_locked_at": None, "created_at": now,
            })  # fmt: skip
            for lesson in course.lessons:
                progress.append({
                    "id": progress_id, "user_id": user_id, "module_id": lesson.module_id,
                    "lesson_id": lesson.id, "first_viewed_at": now, "last_viewed_at": now,
                    "completed_at": now,
                })  # fmt: skip
                progress_id += 1
            user_id += 1
        writer.write(User.__table__, users)
        writer.write(LessonProgress.__table__, progress)
        writer.commit()
        log(f"  made {len(users):,} pool learners")
    return list(conn.scalars(query))[:needed]


def session_of(user_id: int) -> tuple[str, str]:
    """(the session cookie, a CSRF token for its forms) of a fresh sign-in of this user,
    as the browser of a learner signed in on 127.0.0.1 with the bench's User-Agent has."""
    app = current_app._get_current_object()
    prefix = app.config.get("SESSION_COOKIE_NAME", "session") + "="
    # A fresh app context: `g` (where Flask-WTF keeps the CSRF token it made and
    # Flask-Login the user) must not carry over from one learner to the next.
    with app.app_context(), app.test_request_context(
        "/kk/sign-in", method="POST", headers={"User-Agent": USER_AGENT},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    ):  # fmt: skip
        account_views._start_session(db.session.get(User, user_id), remember=False)
        csrf = generate_csrf()
        response = app.response_class()
        app.session_interface.save_session(app, flask.session, response)
        db.session.commit()  # the sign-in event
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(prefix))
    return cookie.split(";", 1)[0], csrf
