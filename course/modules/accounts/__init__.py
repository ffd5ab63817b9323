"""Accounts: registration with consent, sign-in, password reset, the account page, roles."""

from flask import Flask


def init_app(app: Flask) -> None:
    from course.modules.accounts import services, views

    app.register_blueprint(views.bp)
    services.init_login(app)
