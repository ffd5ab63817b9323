"""Role checks beyond login_required."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Flask, abort, current_app, request
from flask_login import current_user

ROLES = ("learner", "trainer", "admin", "verifier")


def role_required(*roles: str) -> Callable:
    """Signed in, with one of these roles (admins pass every check).

    Unlike Flask-Login's login_required this does not let OPTIONS through: used as a
    blueprint's before_request hook, that let an anonymous OPTIONS reach the role check
    (a 500). An anonymous OPTIONS gets a 401; other anonymous requests go to sign-in.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                if request.method == "OPTIONS":
                    abort(401)
                return current_app.login_manager.unauthorized()
            if current_user.role not in (*roles, "admin"):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


def init_app(app: Flask) -> None:
    @app.before_request
    def options_need_the_role_too():
        """Flask answers OPTIONS itself, without calling the view; on a role-protected
        page it must still be refused, as any other method would be."""
        if request.method != "OPTIONS" or request.endpoint is None:
            return
        view = app.view_functions.get(request.endpoint)
        roles = getattr(view, "required_roles", None)
        if roles is None:
            return
        if not current_user.is_authenticated:
            abort(401)
        if current_user.role not in (*roles, "admin"):
            abort(403)
