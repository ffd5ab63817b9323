"""Campaigns: the elections an admin records (kind, day, name in both languages), whose
days the offline verifier treats as election days (with COURSE_ELECTION_DAYS); for each,
an organisation's accreditation, its observers at polling stations, their document
packets and reminders of a due refresher. The Charter extract and the head's powers
document are uploaded once per organisation."""

from flask import Flask


def init_app(app: Flask) -> None:
    from course.modules.campaigns import views

    app.register_blueprint(views.bp)
