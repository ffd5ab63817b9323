"""Certificates: issued on completion, a bilingual PDF with a signed QR that verifies
offline, public verification with an identity check, revocation, published key and status
lists, Open Badges 3.0 export."""

from flask import Flask


def init_app(app: Flask) -> None:
    from course.core.db import db
    from course.core.errors import error_response
    from course.core.i18n import _
    from course.modules.certificates import receivers, views
    from course.modules.certificates.keys import KeyringError
    from course.modules.quizzes.signals import course_completed

    app.register_blueprint(views.bp)
    app.register_blueprint(views.public)
    course_completed.connect(receivers.issue_on_completion)

    @app.errorhandler(KeyringError)
    def keys_missing(error: KeyringError):
        # A server set up wrong (an empty COURSE_KEYS_DIR, a key file gone): the operator
        # reads why in the log; the visitor is told it is not their doing, not a 500.
        app.logger.error("certificate keys: %s", error)
        db.session.rollback()
        return error_response(
            503,
            _(
                "Certificates cannot be issued or checked on this server right now: its "
                "signing keys are not in place. The operator has been told; please try later."
            ),
            "keys_unavailable",
        )
