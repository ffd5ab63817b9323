"""Offline: the certificate verifier that works with no network, the observer's pocket
reference, and the service worker that keeps them (and opened lessons) on the device."""

from flask import Flask


def init_app(app: Flask) -> None:
    from datetime import date

    from course.modules.offline import views

    for day in filter(None, (d.strip() for d in app.config["COURSE_ELECTION_DAYS"].split(","))):
        try:
            date.fromisoformat(day)
        except ValueError as e:
            raise RuntimeError(f"COURSE_ELECTION_DAYS: '{day}' is not a YYYY-MM-DD date") from e

    app.register_blueprint(views.bp)
    app.register_blueprint(views.worker)
