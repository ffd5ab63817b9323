"""Sessions with Flask-Login: the per-user session token in the session id (rotated to end
every session), and the idle and lifetime limits."""

from __future__ import annotations

import secrets
import time

from flask import Flask, request, session
from flask_login import current_user, logout_user

from course.extensions import login_manager
from course.modules.accounts.models import User
from course.modules.accounts.services.people import load_user as load_account
from course.modules.security import services as security

SEEN_GRANULARITY_SECONDS = 60


def init_login(app: Flask) -> None:
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = None  # the sign-in page itself says why
    login_manager.session_protection = "basic"

    @app.before_request
    def end_stale_sessions():
        """A session unused for SESSION_IDLE_MINUTES, or older than SESSION_MAX_HOURS,
        ends, remember-me cookie and all."""
        if request.endpoint == "static" or not current_user.is_authenticated:
            return
        now = int(time.time())
        seen, since = session.get("seen"), session.get("since")
        idle = isinstance(seen, int) and now - seen > app.config["SESSION_IDLE_MINUTES"] * 60
        old = isinstance(since, int) and now - since > app.config["SESSION_MAX_HOURS"] * 3600
        if idle or old:
            security.record_now(
                "session_expired",
                actor_id=current_user.id,
                subject=f"user:{current_user.id}",
                detail="idle" if idle else "lifetime",
            )
            logout_user()
            session.pop("seen", None)
            session.pop("since", None)
            return
        if not isinstance(since, int):
            session["since"] = now  # restored from a remember-me cookie
        if not isinstance(seen, int) or now - seen >= SEEN_GRANULARITY_SECONDS:
            session["seen"] = now

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        user_id, _sep, token = session_id.partition(":")
        if not user_id.isdigit():
            return None
        user = load_account(int(user_id))
        if user is None or not secrets.compare_digest(user.session_token, token):
            return None
        return user
