"""Authoring: trainers edit the draft in both languages side by side, keep the languages
in step, and publish editions that learners then see."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Its commands (`course content export --format po`, `course content import`) hang on
    # the `content` group in course/cli.py.
    from course.modules.authoring import views

    app.register_blueprint(views.bp)
