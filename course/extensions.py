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

__all__ = ["babel", "compress", "csrf", "db", "limiter", "login_manager", "migrate"]
