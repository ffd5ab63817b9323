"""Campaigns: the elections an admin records (kind, day, name in both languages). Their
days are election days: the offline verifier then wants revocation data fresher than
24 hours (in addition to COURSE_ELECTION_DAYS). Organisations' accreditations per
campaign will hang off these records."""

from flask import Flask


def init_app(app: Flask) -> None:
    from course.modules.campaigns import views

    app.register_blueprint(views.bp)
