"""The course that learners see: the newest published edition (see editions.py), kept in
the database (store.py) and cached per worker."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from course.core.content import Course, Module, review
from course.core.content.editions import Editions, today_in
from course.core.content.review import ReviewState, review_state
from course.core.content.store import DatabaseStore
from course.core.db import db


def editions() -> Editions:
    return current_app.extensions["course.editions"]


def current_course() -> Course:
    return editions().current()


def module_review(course: Course, module: Module) -> ReviewState:
    """Whether `module` is due for review today (Kazakhstan's date), by this app's age."""
    config = current_app.config
    return review_state(
        course,
        module,
        today_in(config["BABEL_DEFAULT_TIMEZONE"]),
        config["CONTENT_REVIEW_MAX_MONTHS"],
    )


def modules_due(course: Course) -> list[ReviewState]:
    config = current_app.config
    return review.modules_due(
        course, today_in(config["BABEL_DEFAULT_TIMEZONE"]), config["CONTENT_REVIEW_MAX_MONTHS"]
    )


def course_edition(number: int) -> Course:
    """The edition an attempt or a certificate refers to; the current one if not kept."""
    return editions().get(number) or editions().current()


def import_instance_editions(app: Flask) -> list[int]:
    """Once, on the first start after the upgrade: the editions an older version kept in
    `<instance>/editions/` go into the database (`course serve` calls this after the
    migrations; app start does when the table is there already)."""
    with app.app_context():
        return app.extensions["course.editions"].import_folder(Path(app.instance_path) / "editions")


def init_app(app: Flask) -> None:
    from course.core.i18n import current_language

    found = Editions(
        Path(app.config["CONTENT_DIR"]),
        Path(app.instance_path) / "edition-cache",
        DatabaseStore(),
        check_every=app.config["EDITIONS_CHECK_SECONDS"],
    )
    app.extensions["course.editions"] = found
    import_instance_editions(app)
    with app.app_context():
        # Invalid content stops the app here, with every problem named by file and line.
        found.open()
        # The start keeps no connection: workers may fork after it, and an app that a
        # later step of create_app refuses leaves none open.
        db.session.remove()
        db.engine.dispose()

    @app.context_processor
    def site_title() -> dict:
        return {"site_title": current_course().title[current_language()]}
