"""Authoring: trainers edit the draft in both languages side by side, keep the languages
in step, and publish editions that learners then see."""

from flask import Flask


def init_app(app: Flask) -> None:
    from course.modules.authoring import cli, views

    app.register_blueprint(views.bp)
    cli.init_app(app)
