"""Site-wide routes: `/` picks a language; `/healthz` for monitors; and the short pages
for each audience that the landing page leads to (learners, organisations, commission
members), under `/<lang>/for/…`."""

from flask import Flask


def init_app(app: Flask) -> None:
    from course.modules.site import views

    app.register_blueprint(views.bp)
