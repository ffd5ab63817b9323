"""Certificates: issued on completion, a bilingual PDF with a signed QR that verifies
offline, public verification with an identity check, revocation, published key and status
lists, Open Badges 3.0 export."""

from flask import Flask


def init_app(app: Flask) -> None:
    from course.modules.certificates import receivers, views
    from course.modules.quizzes.signals import course_completed

    app.register_blueprint(views.bp)
    app.register_blueprint(views.public)
    course_completed.connect(receivers.issue_on_completion)
