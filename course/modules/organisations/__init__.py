"""Organisations: applications and approval, staff and invitations, their observers and
roster, bulk verification, an API with tokens, and the verification log."""

from flask import Flask


def init_app(app: Flask) -> None:
    from course.modules.organisations import views

    app.register_blueprint(views.bp)
    app.register_blueprint(views.api)
