"""Extension objects, created unbound and bound to the app in create_app."""

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from course.core.db import db

babel = Babel()
compress = Compress()
login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
# No default limits: only the public lookups that could be used to probe are limited.
limiter = Limiter(key_func=get_remote_address, default_limits=[])

__all__ = [
    "babel",
    "compress",
    "csrf",
    "db",
    "init_limiter",
    "limiter",
    "login_manager",
    "migrate",
]


def init_limiter(app) -> None:
    """Bind the limiter, and run its check before every request only when some limit
    needs it. Flask-Limiter's hook looks for default, application and blueprint limits
    on every request (about a sixth of a cheap page's time); this app has none: each
    limit is a route's own and its decorator checks it. Should such a limit ever be
    set, the hook runs again (tests/core/test_limits.py sets a blueprint limit)."""
    limiter.init_app(app)
    hooks = app.before_request_funcs.setdefault(None, [])
    check = limiter._check_request_limit
    if check not in hooks:
        return  # another Flask-Limiter than the one this was written for: leave it be
    manager = limiter.limit_manager

    def check_where_needed():
        if (
            manager.default_limits
            or manager.application_limits
            or getattr(manager, "_blueprint_limits", True)
            or getattr(limiter, "_meta_limits", True)
        ):
            return check()
        return None

    hooks[hooks.index(check)] = check_where_needed
