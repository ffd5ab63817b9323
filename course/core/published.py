"""The course that learners see: loaded and validated once when the app starts."""

from __future__ import annotations

from flask import Flask, current_app

from course.core.content import Course


def current_course() -> Course:
    return current_app.extensions["course.content"]


def init_app(app: Flask) -> None:
    from course.core.i18n import current_language

    @app.context_processor
    def site_title() -> dict:
        return {"site_title": current_course().title[current_language()]}
