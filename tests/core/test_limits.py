"""Rate limits: the routes' own limits hold, and a limit that needs Flask-Limiter's check
before every request (a blueprint's, say) gets it (course.extensions.init_limiter runs
that check only when such a limit exists)."""

from __future__ import annotations

from flask import Blueprint

from course.extensions import limiter


def test_a_routes_own_limit_holds(make_app):
    app = make_app(VERIFY_RATE_LIMIT="2 per minute")
    client = app.test_client()
    assert [client.get("/kk/verify").status_code for _ in range(3)] == [200, 200, 429]


def test_a_blueprints_limit_brings_the_check_before_every_request_back(make_app):
    app = make_app()
    probe = Blueprint("limit_probe", __name__)

    @probe.get("/limit-probe")
    def ping():
        return "pong"

    limiter.limit("1 per minute")(probe)
    try:
        app.register_blueprint(probe)
        client = app.test_client()
        assert client.get("/limit-probe").status_code == 200
        assert client.get("/limit-probe").status_code == 429
        assert client.get("/kk/").status_code == 200  # other routes are not limited by it
    finally:
        limiter.limit_manager._blueprint_limits.pop("limit_probe", None)
