"""The course that learners see: the newest published edition (see core/editions.py)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from course.core.content import Course
from course.core.content.editions import Editions


def editions() -> Editions:
    return current_app.extensions["course.editions"]


def current_course() -> Course:
    return editions().current()


def course_edition(number: int) -> Course:
    """The edition an attempt or a certificate refers to; the current one if not kept."""
    return editions().get(number) or editions().current()


def init_app(app: Flask) -> None:
    from course.core.i18n import current_language

    # Invalid content stops the app here, with every problem named by file and line.
    app.extensions["course.editions"] = Editions(
        Path(app.config["CONTENT_DIR"]), Path(app.instance_path) / "editions"
    )

    @app.context_processor
    def site_title() -> dict:
        return {"site_title": current_course().title[current_language()]}
