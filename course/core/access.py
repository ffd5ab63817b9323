"""Role checks beyond login_required."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

ROLES = ("learner", "trainer", "admin", "verifier")


def role_required(*roles: str) -> Callable:
    """Signed in, with one of these roles (admins pass every check)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in (*roles, "admin"):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
