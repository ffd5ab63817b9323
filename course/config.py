"""Configuration: defaults, then the environment, then test overrides.

The app refuses to start with a weak secret; when no secret is given it makes one
once and keeps it in the instance folder, so sessions survive restarts.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_LENGTH = 32
TIMEZONE = "Asia/Almaty"  # dates and times are shown in Kazakhstan's time


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says what to change."""


def instance_dir() -> Path:
    return Path(os.environ.get("COURSE_INSTANCE", "instance")).resolve()


def content_dir() -> Path:
    return Path(os.environ.get("COURSE_CONTENT", PROJECT_ROOT / "content")).resolve()


def review_max_months() -> int:
    """How old a module's last review may be before learners are told (months)."""
    return int(os.environ.get("COURSE_REVIEW_MAX_MONTHS", "6"))


def secret_in_file(path: Path) -> str:
    """A random secret kept in `path` (mode 600), made the first time it is asked for."""
    if not path.exists():
        # Written whole to a file of its own, then linked into place: link() fails when the
        # name exists, so two workers starting at once keep one secret, and neither can
        # read the file while the other has made it but not yet written it.
        draft = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
                f.flush()
                os.fsync(f.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
        finally:
            draft.unlink(missing_ok=True)
    return path.read_text().strip()


def private_folder(path: Path) -> Path:
    """A folder only the app's own user can read (mode 700): it holds personal data."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def private_file(path: Path) -> None:
    """Create `path` empty with mode 600 if it does not exist (SQLite's WAL and shared-
    memory files then take the same mode from it)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def trusted_hosts(base_host: str, configured: str) -> list[str]:
    """The configured host names, or the public address's host and the loopback names
    (health checks, and `course serve` on one's own machine)."""
    if configured.strip():
        return [h.strip() for h in configured.split(",") if h.strip()]
    return [base_host, "localhost", "127.0.0.1", "::1"]


def _secret_key(instance: Path) -> str:
    given = os.environ.get("SECRET_KEY")
    if given is not None:
        if len(given) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters; "
                "unset it to have one generated and kept in the instance folder."
            )
        return given
    return secret_in_file(instance / "secret_key")


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def build_config(test_config: dict | None = None) -> dict:
    """Everything the app reads, as one dict; test_config wins over the environment."""
    test_config = dict(test_config or {})
    instance = Path(test_config.pop("INSTANCE_PATH", None) or instance_dir())
    private_folder(instance)
    base_url = os.environ.get("COURSE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    config = {
        "INSTANCE_PATH": str(instance),
        "CONTENT_DIR": str(content_dir()),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance / 'course.sqlite'}"
        ),
        "COURSE_BASE_URL": base_url,
        # Host names a request may name; anything else is a 400 (see course.core.security).
        "TRUSTED_HOSTS": trusted_hosts(
            urlsplit(base_url).hostname or "localhost", os.environ.get("TRUSTED_HOSTS", "")
        ),
        # How many reverse proxies stand in front of the app (their X-Forwarded-* are
        # believed); 0 trusts none, so a client cannot choose its own address.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # A session unused this long ends (remember-me included); sign in again.
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", str(8 * 60))),
        # However active, a session ends this long after sign-in (ASVS 3.3.2).
        "SESSION_MAX_HOURS": int(os.environ.get("SESSION_MAX_HOURS", "12")),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", True),
        "MAIL_USE_SSL": _flag("MAIL_USE_SSL"),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "no-reply@localhost"),
        "MAIL_OUTBOX": str(instance / "outbox"),
        "PASSWORD_RESET_MAX_AGE": 3600,
        # After this many failed attempts in a row at a quiz, the next one waits.
        "QUIZ_FAILURES_BEFORE_WAIT": int(os.environ.get("QUIZ_FAILURES_BEFORE_WAIT", "3")),
        # An election's packets come as ZIP downloads of at most this many: each is made
        # while it is sent and must end within gunicorn's 60 s (72 ms a packet measured here).
        "PACKETS_PER_DOWNLOAD": int(os.environ.get("PACKETS_PER_DOWNLOAD", "200")),
        "QUIZ_RETAKE_WAIT_MINUTES": int(os.environ.get("QUIZ_RETAKE_WAIT_MINUTES", "60")),
        "QUIZ_MAX_FORM_BYTES": 32 * 1024,
        # The issuer's name printed on certificates (the operating organisation).
        "COURSE_ISSUER": os.environ.get("COURSE_ISSUER", ""),
        # Election days (YYYY-MM-DD, comma-separated): the offline verifier then wants
        # revocation data fresher than 24 hours instead of 7 days.
        "COURSE_ELECTION_DAYS": os.environ.get("COURSE_ELECTION_DAYS", ""),
        # The key for IIN hashes; when unset it is generated into the instance folder
        # (several app servers: set the same key on every one).
        "IIN_HMAC_KEY": os.environ.get("IIN_HMAC_KEY", ""),
        # The signing keys' folder; `<instance>/keys` when unset (generated at the first
        # issue). Several app servers: the same folder for all, made once with
        # `course keys init`; when set, keys are never generated on their own.
        "KEYS_DIR": os.environ.get("COURSE_KEYS_DIR", ""),
        # Rate limits on public lookups, per address; shared across processes when a
        # shared store is given (e.g. redis://127.0.0.1:6379/0).
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Keeps this deployment's counters apart from others' in a shared Redis.
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", ""),
        "VERIFY_RATE_LIMIT": os.environ.get("VERIFY_RATE_LIMIT", "30 per minute"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Per address, for sign-in, registration and password-reset forms (POST only).
        "SIGN_IN_RATE_LIMIT": os.environ.get("SIGN_IN_RATE_LIMIT", "20 per minute"),
        # Per token, for organisations' batch verification.
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "60 per minute"),
        # A module reviewed longer ago than this shows learners a notice, and the course
        # editor and `course content check` list it (course.core.content.review).
        "CONTENT_REVIEW_MAX_MONTHS": review_max_months(),
        # Times are shown in Kazakhstan's time; the database keeps UTC.
        "BABEL_DEFAULT_TIMEZONE": TIMEZONE,
        # Large enough for any form of ours, small enough that a flood is cheap to refuse.
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "MAX_FORM_MEMORY_SIZE": 256 * 1024,
        # Images a trainer uploads to a lesson (the only larger request, and for trainers).
        "AUTHORING_MAX_IMAGE_BYTES": int(
            os.environ.get("AUTHORING_MAX_IMAGE_BYTES", str(2 * 1024 * 1024))
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": base_url.startswith("https://"),
        "REMEMBER_COOKIE_SECURE": base_url.startswith("https://"),
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": 4 * 3600,
        # Compression (course.core.caching): text types only, never a response smaller than
        # this (not worth the work), never a page sent in pieces (bulk verification: its
        # progress lines would wait in the compressor).
        "COMPRESS_ALGORITHM": ["zstd", "br", "gzip"],
        "COMPRESS_MIN_SIZE": 1024,
        "COMPRESS_REGISTER": False,
        # This server's name, for the editing-server lock (the course editor works on one
        # server; see authoring/services/editing.py); the host name when unset. Set a
        # stable one where host names change at every start (containers).
        "COURSE_SERVER_NAME": os.environ.get("COURSE_SERVER_NAME", ""),
        # How often a worker asks the database whether an edition was published (one
        # small query), so a publish on one server is served by all within that time.
        "EDITIONS_CHECK_SECONDS": float(os.environ.get("EDITIONS_CHECK_SECONDS", "1")),
        # How long a writer waits for SQLite's lock. Never 0: with 0, most concurrent
        # writes fail with "database is locked" (../shared/design/performance.md).
        "DATABASE_BUSY_TIMEOUT": 5.0,
    }
    config.update(test_config)
    # Remember-me keeps a session across browser restarts, within the same bound.
    config.setdefault("REMEMBER_COOKIE_DURATION", timedelta(hours=config["SESSION_MAX_HOURS"]))
    options: dict = {"pool_pre_ping": True}
    uri = config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        database = Path(uri.removeprefix("sqlite:///").split("?", 1)[0])
        if uri.startswith("sqlite:///") and database.name and database.parent.is_dir():
            private_file(database)
        options["connect_args"] = {"timeout": config["DATABASE_BUSY_TIMEOUT"]}
        # A file in this process cannot drop the connection: no "SELECT 1" before every
        # request (the ping is for a database server that may have restarted).
        options["pool_pre_ping"] = False
    elif uri.startswith("postgresql"):
        # The same bound on PostgreSQL: a request waits for a lock this long, then gets a 503.
        timeout_ms = int(config["DATABASE_BUSY_TIMEOUT"] * 1000)
        options["connect_args"] = {"options": f"-c lock_timeout={timeout_ms}"}
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", options)
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = _secret_key(instance)
    return config
