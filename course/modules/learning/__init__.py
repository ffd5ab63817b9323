"""Learning: the public landing page, the course home, lesson pages and per-lesson progress."""

from flask import Flask


def init_app(app: Flask) -> None:
    from course.modules.learning import views

    app.register_blueprint(views.bp)
