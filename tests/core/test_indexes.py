"""Every lookup the pages make uses an index: SQLite's EXPLAIN QUERY PLAN of the very
statements the services send (caught as they run), none of them a scan of a whole table.
And the models and the migrations describe the same schema, indexes included."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from course import create_app
from course.core.content.published import current_course
from course.core.db import db
from course.modules.certificates import services as certificates
from course.modules.certificates.services import issuing
from course.modules.learning import services as learning
from course.modules.organisations import services as organisations
from course.modules.quizzes import services as quizzes
from tests.support.app import app_config
from tests.support.certificates import complete_course
from tests.support.queries import counting_queries


def plans(app, run) -> dict[str, list[str]]:
    """{statement: the lines of its query plan} for every SELECT that `run()` makes."""
    with counting_queries(app) as seen:
        run()
    found = {}
    connection = db.session.connection()
    for statement, parameters in zip(seen, seen.parameters, strict=True):
        if statement.startswith("SELECT"):
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            found[statement] = [row[-1] for row in rows]
    assert found, "nothing was looked up"
    return found


def scans(found: dict[str, list[str]]) -> list[str]:
    """Plan lines that read a whole table (a scan of an index, a partial one say, is fine)."""
    return [
        f"{line}  <-  {statement}"
        for statement, lines in found.items()
        for line in lines
        if line.startswith("SCAN ") and " USING " not in line
    ]


def test_the_lookups_pages_make_use_indexes(app, org):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's EXPLAIN QUERY PLAN")
        user_id = complete_course()
        certificate = certificates.current_certificate(user_id)
        organisation = organisations.get(org["id"])
        course = current_course()
        exam = quizzes.quiz_info(course, quizzes.FINAL)
        lookups = {
            "the API and the verification page, by code": lambda: certificates.find(
                certificate.code
            ),
            "codes in bulk": lambda: certificates.find_many([certificate.code, "X" * 13]),
            "a learner's lessons": lambda: (
                learning.visits(user_id),
                learning.lessons_read(user_id),
            ),
            "a learner's attempts": lambda: (
                quizzes.quiz_state(user_id, course, exam),
                quizzes.passed_quiz_ids(user_id),
            ),
            "a learner's certificate": lambda: (
                certificates.current_certificate(user_id),
                certificates.current_certificates([user_id]),
                quizzes.completion(user_id, course.edition),
            ),
            "an organisation's roster, requests and log": lambda: (
                organisations.roster(organisation, course),
                organisations.requests(organisation),
                organisations.log(organisation),
            ),
            "the status list": certificates.status_list_document,
            "a new certificate's place": issuing.free_status_index,
        }
        for name, run in lookups.items():
            found = scans(plans(app, run))
            assert not found, f"{name}:\n" + "\n".join(found)


def test_the_models_and_the_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_the_index_migration_goes_down_and_up_again(tmp_path):
    app = create_app(app_config(f"sqlite:///{tmp_path / 'schema.sqlite'}", tmp_path / "i"))
    with app.app_context():
        upgrade()
        downgrade(revision="8d2b6c4e1f07")
        with db.engine.connect() as connection:
            names = {
                row[0]
                for row in connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'index'"
                )
            }
        assert "ix_certificates_marked" not in names
        assert "ix_quiz_attempts_user_id" in names
        upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert differences == []
        db.engine.dispose()
