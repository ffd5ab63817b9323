"""The benchmark's database: the real schema (the migrations), a few genuine accounts made
through the app's own services, and bulk rows at realistic scale (bench/bulk.py).

At `--scale full` (`small` is 1/100 of each figure):

- 130,000 certificates, 1,000 of them revoked and 1,000 replaced — NOT the 1,000,000
  asked for. The status list had 131,072 places when this seed was written; it now has
  2,097,152 (`statuslist.LIST_SIZE`), but the seed keeps `SEEDED_CERTIFICATES`: there is
  one current certificate per learner and edition (`uq_certificates_current`) and the
  course has one edition, so a million current certificates would need a million seeded
  learners (26 million progress rows) and a million stored PDFs. Seeding several editions
  per learner is what would lift it.
- 129,000 learners, not 100,000: 129,000 current certificates need as many learners.
  Each has read every lesson (3,354,000 progress rows with 26 lessons)
  and passed the final exam; one argon2 hash, made once with the app's hasher, is shared.
- 5,000,000 answer rows (`quiz_attempt_questions`): every learner's final exam (24
  answers) and one or two module-quiz attempts of 10 answers.

Rows are written with SQLAlchemy Core `insert()` executemany (SQLite) or binary `COPY`
(PostgreSQL), 1,000 learners a batch, each batch one transaction. Seeding is not resumable
(an interrupted seed starts over), but a complete one is reused by later runs: a marker
file in the instance folder says what was seeded; `--reseed` ignores it.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

SEED_VERSION = 2
PASSWORD = "bench-password-1234"  # noqa: S105 - throw-away accounts of a local benchmark
SECRET_KEY = "bench-secret-key-for-load-tests-only-0123456789"  # noqa: S105 - the same
USER_AGENT = "course-bench/1"
EMAILS = {
    "learner": "bench-learner@example.kz",
    "holder": "bench-holder@example.kz",
    "staff": "bench-staff@example.kz",
    "admin": "bench-admin@example.kz",
}
# Free status-list indexes left after seeding, so that issuing still finds one (it draws
# at random until it hits a free one).
RESERVE_INDEXES = 1_072
BATCH_LEARNERS = 1_000
SEEDED_CERTIFICATES = 130_000  # at --scale full; see the module's docstring
# High enough that a load test measures the app, not the limiter (which still runs).
NO_LIMIT = "100000000 per minute"


# ---------------------------------------------------------------- what is seeded, and where


@dataclass(frozen=True)
class Counts:
    learners: int
    certificates: int  # rows: the current ones and the replaced ones
    replaced: int
    revoked: int
    answers: int
    asked_learners: int  # what was asked for, before the constraints below
    asked_certificates: int


def counts_for(scale: str) -> Counts:
    """SEEDED_CERTIFICATES caps the certificates (see the module's docstring); each current
    certificate needs a learner of its own (one per learner and edition, one edition), so
    there are as many learners as current certificates when that is more than asked. A
    few certificates were replaced (a corrected name), as many as are revoked: both are
    marked in the status list."""
    factor = {"full": 1.0, "small": 0.01}[scale]
    learners, certificates, revoked = 100_000, 1_000_000, 1_000
    fit = min(certificates, SEEDED_CERTIFICATES)
    return Counts(
        learners=round(max(learners, fit - revoked) * factor),
        certificates=round(fit * factor),
        replaced=round(revoked * factor),
        revoked=round(revoked * factor),
        answers=round(5_000_000 * factor),
        asked_learners=round(learners * factor),
        asked_certificates=round(certificates * factor),
    )


@dataclass(frozen=True)
class Target:
    """One database under test, with its own instance folder (keys, secret, outbox)."""

    name: str  # "sqlite" or "postgresql"
    instance: Path
    url: str
    base_url: str

    @property
    def marker(self) -> Path:
        return self.instance / "bench-seed.json"


def target(name: str, scale: str, data_dir: Path, pg_url: str, base_url: str) -> Target:
    """SQLite keeps one database per scale (a small run leaves the full seed alone);
    PostgreSQL has the one database of the URL, seeded again when the scale changes."""
    if name == "sqlite":
        instance = (data_dir / f"sqlite-{scale}").resolve()
        return Target(name, instance, f"sqlite:///{instance / 'course.sqlite'}", base_url)
    return Target(name, (data_dir / name).resolve(), pg_url, base_url)


def environment(t: Target) -> dict[str, str]:
    """The environment of `course serve` and of the in-process app: the same for both."""
    return {
        "COURSE_INSTANCE": str(t.instance),
        "DATABASE_URL": t.url,
        "SECRET_KEY": SECRET_KEY,
        "COURSE_BASE_URL": t.base_url,
        "VERIFY_RATE_LIMIT": NO_LIMIT,
        "SIGN_IN_RATE_LIMIT": NO_LIMIT,
        "API_RATE_LIMIT": NO_LIMIT,
        "RATELIMIT_STORAGE_URI": "memory://",
    }


def make_app(t: Target):
    """The course app on this target, configured exactly as the server will be."""
    os.environ.update(environment(t))
    from course import create_app

    return create_app()


# ---------------------------------------------------------------- reuse or seed


def prepare(t: Target, scale: str, reseed: bool, log=print) -> dict:
    """The seed marker of a database ready for the benchmark: reused, or seeded now."""
    app = make_app(t)  # first: an app that cannot start (invalid content) destroys nothing
    marker, why = (None, "--reseed") if reseed else _reusable_marker(app, t, scale)
    if marker is None:
        log(f"[{t.name}] seeding ({why})")
        return seed(t, scale, log)
    log(
        f"[{t.name}] reusing the {scale}-scale database seeded on {marker['seeded_at']} "
        f"(in {marker['seconds']['total']:.0f} s); --reseed to seed it again"
    )
    with app.app_context():
        from flask_migrate import upgrade

        from course.core.db import db

        upgrade()  # a migration added since is applied, as `course serve` would
        db.engine.dispose()
    return marker


def _reusable_marker(app, t: Target, scale: str) -> tuple[dict | None, str]:
    """The marker of a complete seed of this scale, or None and why not."""
    if not t.marker.exists():
        return None, f"no complete seed in {t.instance}"
    marker = json.loads(t.marker.read_text())
    for key, wanted in (("version", SEED_VERSION), ("scale", scale), ("base_url", t.base_url),
                        ("url", t.url)):  # fmt: skip
        if marker.get(key) != wanted:
            return None, f"the last seed has {key} {marker.get(key)!r}, not {wanted!r}"
    from sqlalchemy.exc import OperationalError, ProgrammingError

    with app.app_context():
        from course.core.db import db
        from course.modules.accounts.models import User

        try:  # the database may have been dropped or replaced since
            learners = db.session.scalar(select(func.count()).select_from(User))
        except (OperationalError, ProgrammingError) as e:
            return None, f"the database cannot be read ({type(e.orig).__name__})"
        finally:
            db.session.remove()
            db.engine.dispose()
    if learners < marker["counts"]["learners"]:
        return None, f"the database has {learners:,} users, fewer than were seeded"
    return marker, ""


def _fresh_database(t: Target) -> None:
    """An empty database and instance folder (PostgreSQL's database dropped and recreated)."""
    if t.instance.exists():
        shutil.rmtree(t.instance)
    t.instance.mkdir(parents=True, mode=0o700)
    if t.name != "postgresql":
        return
    import psycopg
    from psycopg import sql

    url = make_url(t.url)
    with psycopg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        name = sql.Identifier(url.database)
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))


def seed(t: Target, scale: str, log=print) -> dict:
    counts = counts_for(scale)
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    _fresh_database(t)
    app = make_app(t)
    with app.app_context():
        from flask_migrate import upgrade

        from course.core.db import db

        def step(name, action):
            mark = time.perf_counter()
            result = action()
            seconds[name] = time.perf_counter() - mark
            return result

        step("schema", upgrade)
        genuine = step("genuine accounts", genuine_accounts)
        db.session.commit()
        written = step("bulk rows", lambda: bulk_rows(t, counts, log))
        step("statistics", lambda: _after_bulk(t))
        revision = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.remove()
        db.engine.dispose()
    seconds["total"] = time.perf_counter() - started
    marker = {
        "version": SEED_VERSION,
        "scale": scale,
        "base_url": t.base_url,
        "url": t.url,
        "revision": revision,
        "seeded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "counts": asdict(counts),
        "rows": written,
        "seconds": {k: round(v, 1) for k, v in seconds.items()},
        **genuine,
    }
    t.marker.write_text(json.dumps(marker, indent=2, ensure_ascii=False))
    steps = ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items() if k != "total")
    log(f"[{t.name}] seeded in {seconds['total']:.0f} s ({steps})")
    return marker


# ---------------------------------------------------------------- genuine accounts


def answers_for(attempt, course, wrong: int = 0) -> dict[str, list[str]]:
    """Right answers to every question of the attempt, but the first `wrong` ones."""
    from bulk import wrong_choice

    answers = {}
    for n, aq in enumerate(attempt.questions):
        question = course.question(aq.question_id)
        right = list(question.correct)
        answers[aq.question_id] = wrong_choice(question, random.Random(n)) if n < wrong else right
    return answers


def genuine_accounts() -> dict:
    """A signed-in learner, a certificate holder and an organisation's staff member with an
    API token, made through the app's services, so that they are what the app makes.
    Returns what the benchmark needs to know of them."""
    from course.core.content.published import current_course
    from course.core.identifiers import check_digit
    from course.modules.accounts import services as accounts
    from course.modules.certificates import services as certificates
    from course.modules.learning import services as learning
    from course.modules.organisations import services as organisations
    from course.modules.quizzes import services as quizzes

    course = current_course()
    admin = accounts.create_or_promote(EMAILS["admin"], "Bench Admin", "admin", PASSWORD)

    def take(user_id, info, lang, wrong=0):
        attempt = quizzes.start_attempt(user_id, course, info)
        quizzes.submit(attempt, answers_for(attempt, course, wrong), lang, course)

    # The learner: two modules read, the first quiz passed, the second failed once.
    learner = accounts.register(EMAILS["learner"], "Асель Қайратқызы Нұрланова", PASSWORD, "kk")
    for module in course.modules[:2]:
        for lesson in module.lessons:
            learning.mark_read(learner.id, lesson)
    learning.record_view(learner.id, course.modules[2].lessons[0])
    take(learner.id, quizzes.quiz_info(course, quizzes.MODULE, course.modules[0].id), "kk")
    take(learner.id, quizzes.quiz_info(course, quizzes.MODULE, course.modules[1].id), "kk", 5)

    # The holder: every lesson read, every quiz and the final exam passed, so that the
    # course_completed signal issues the certificate (signed, its PDF rendered).
    holder = accounts.register(EMAILS["holder"], "Ерлан Серікұлы Жақсылықов", PASSWORD, "ru")
    for lesson in course.lessons:
        learning.mark_read(holder.id, lesson)
    for module in course.modules:
        if module.quiz is not None:
            take(holder.id, quizzes.quiz_info(course, quizzes.MODULE, module.id), "ru")
    take(holder.id, quizzes.quiz_info(course, quizzes.FINAL), "ru")
    certificate = certificates.current_certificate(holder.id)
    if certificate is None:
        raise RuntimeError("the genuine holder got no certificate: has the issuing path changed?")

    # The organisation: applied, approved by an admin; its head makes an API token.
    staff = accounts.register(EMAILS["staff"], "Айгүл Сәтбаева", PASSWORD, "kk")
    prefix = next(
        f"9001013{n:04d}" for n in range(1000) if check_digit(f"9001013{n:04d}") is not None
    )
    application = organisations.Application(
        "«Ашық сайлау» қоғамдық бірлестігі", "Общественное объединение «Открытые выборы»",
        f"{prefix}{check_digit(prefix)}", "Айгүл Сәтбаева", "office@example.kz",
        "+7 701 000 00 00", True, None, None,
    )  # fmt: skip
    organisation = organisations.apply(staff.id, application)
    organisations.approve(organisation, admin.id)
    token = organisations.create_token(organisation, "bench", staff.id)
    return {
        "password": PASSWORD,
        "emails": EMAILS,
        "holder_code": certificate.code,
        "api_token": token,
        "quiz_module": course.modules[1].id,
    }


# ---------------------------------------------------------------- writing rows


class Writer:
    """Batches of rows into the real tables: Core executemany (SQLite) or COPY (PostgreSQL)."""

    def __init__(self, engine):
        self.is_postgres = engine.dialect.name == "postgresql"
        self.connection = engine.connect()
        self._oids: dict[str, dict[str, int]] = {}
        if self.is_postgres:
            self.connection.exec_driver_sql("SET synchronous_commit = off")
        else:
            # This connection only; a seed interrupted by a crash is redone anyway.
            self.connection.exec_driver_sql("PRAGMA synchronous = OFF")

    def write(self, table, rows: list[dict]) -> None:
        if not rows:
            return
        if not self.is_postgres:
            self.connection.execute(insert(table), rows)
            return
        columns = list(rows[0])
        oids = self._column_oids(table.name)
        missing = [c for c in columns if c not in oids]
        if missing:
            raise RuntimeError(f"{table.name} has no column {missing}: has the schema changed?")
        from psycopg import sql

        statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        raw = self.connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types([oids[c] for c in columns])
            for row in rows:
                copy.write_row([_pg_value(row[c]) for c in columns])

    def _column_oids(self, table: str) -> dict[str, int]:
        if table not in self._oids:
            rows = self.connection.exec_driver_sql(
                "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %(t)s::regclass "
                "AND attnum > 0 AND NOT attisdropped",
                {"t": table},
            )
            self._oids[table] = {name: int(oid) for name, oid in rows}
        return self._oids[table]

    def next_id(self, table) -> int:
        return (self.connection.scalar(select(func.max(table.c.id))) or 0) + 1

    def commit(self) -> None:
        self.connection.commit()

    def close(self) -> None:
        self.connection.close()


def _pg_value(value):
    # The app keeps UTC in `timestamp without time zone` (core.db.UTCDateTime).
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def tables() -> dict:
    """The model table of each key of bulk.TABLES."""
    from course.modules.accounts.models import User
    from course.modules.certificates.models import Certificate
    from course.modules.learning.models import LessonProgress
    from course.modules.quizzes.models import Attempt, AttemptQuestion, CourseCompletion

    return {
        "users": User.__table__,
        "progress": LessonProgress.__table__,
        "attempts": Attempt.__table__,
        "answers": AttemptQuestion.__table__,
        "completions": CourseCompletion.__table__,
        "certificates": Certificate.__table__,
        "replaced": Certificate.__table__,
    }


def bulk_rows(t: Target, counts: Counts, log=print) -> dict[str, int]:
    """Learners, their progress, attempts and answers, completions and certificates."""
    from bulk import TABLES, Bulk

    from course.core.db import db
    from course.modules.accounts import services as accounts
    from course.modules.accounts.models import User
    from course.modules.certificates import services as certificates
    from course.modules.certificates import statuslist
    from course.modules.certificates.models import Certificate

    holder = db.session.scalar(select(User).where(User.email == EMAILS["holder"]))
    pdf = certificates.current_certificate(holder.id).pdf  # one real PDF, made by the app
    used = set(db.session.scalars(select(Certificate.status_index)))
    free = [i for i in range(statuslist.LIST_SIZE) if i not in used]
    random.Random(1).shuffle(free)
    free = free[: max(0, len(free) - RESERVE_INDEXES)]
    used_codes = set(db.session.scalars(select(Certificate.code)))
    db.session.commit()  # no read transaction of ours left open beside the writer's
    writer = Writer(db.engine)
    by_key = tables()
    next_ids = {key: writer.next_id(table) for key, table in by_key.items()}
    password_hash = accounts.hash_password(PASSWORD)  # hashed once, reused for every learner
    maker = Bulk(counts, free, used_codes, next_ids, password_hash, pdf)
    written = dict.fromkeys(TABLES, 0)
    started = time.perf_counter()
    try:
        for first in range(0, counts.learners, BATCH_LEARNERS):
            last = min(first + BATCH_LEARNERS, counts.learners)
            rows = maker.rows(first, last)
            for key in TABLES:  # in this order: every row's foreign keys exist already
                writer.write(by_key[key], rows[key])
                written[key] += len(rows[key])
            writer.commit()
            if last % (10 * BATCH_LEARNERS) == 0 or last == counts.learners:
                log(
                    f"[{t.name}]   {last:,} of {counts.learners:,} learners, "
                    f"{written['answers']:,} answers, "
                    f"{written['certificates'] + written['replaced']:,} certificates "
                    f"({time.perf_counter() - started:.0f} s)"
                )
    finally:
        writer.close()
    return written


def _after_bulk(t: Target) -> None:
    """PostgreSQL: sequences moved past the explicit ids, and planner statistics (autovacuum
    would gather them soon after such a load anyway). SQLite: the WAL folded back in."""
    from course.core.db import db

    with db.engine.connect() as connection:
        if t.name != "postgresql":
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            return
        for table in set(tables().values()):
            sequence = func.pg_get_serial_sequence(table.name, "id")
            connection.execute(
                select(func.setval(sequence, select(func.max(table.c.id)).scalar_subquery()))
            )
        connection.commit()
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")


# ---------------------------------------------------------------- codes for the scenarios


def sample_codes(limit: int) -> list[str]:
    """Seeded certificate codes at random: valid, revoked and replaced alike."""
    from course.core.db import db
    from course.modules.certificates.models import Certificate

    return list(db.session.scalars(select(Certificate.code).order_by(func.random()).limit(limit)))
