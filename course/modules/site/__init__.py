"""Site-wide routes outside the language tree: `/` picks a language; `/healthz` for monitors."""

from flask import Flask


def init_app(app: Flask) -> None:
    from course.modules.site import views

    app.register_blueprint(views.bp)
