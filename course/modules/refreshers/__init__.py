"""Refreshers: when a published edition supersedes earlier certificates, holders reread
only the changed modules and pass a short test; passing issues a certificate of the new
edition that replaces the old one. Holders are mailed on publication; organisations can
remind their observers before a campaign."""

from flask import Flask


def init_app(app: Flask) -> None:
    from course.modules.authoring.signals import edition_published
    from course.modules.learning.signals import course_activities
    from course.modules.refreshers import receivers, views

    app.register_blueprint(views.bp)
    edition_published.connect(receivers.announce_on_publish)
    course_activities.connect(receivers.refresher_step)
