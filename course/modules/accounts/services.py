"""Account use-cases: register, authenticate, reset a password, change name or language.

Services take plain values, flush but never commit, and never read the request.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app
from flask_babel import force_locale
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from course.core.access import ROLES
from course.core.db import db, utcnow
from course.core.i18n import _
from course.core.mail import send_mail
from course.extensions import login_manager
from course.modules.accounts.models import User
from course.modules.accounts.names import normalize_name

# The privacy notice a learner consents to; a new text gets a new version.
CONSENT_VERSION = "2026-11-27"
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128

_hasher = PasswordHasher()
# Verified against when no account matches, so a wrong e-mail costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")


class EmailTaken(Exception):
    """An account with this e-mail exists already."""


class NameLocked(Exception):
    """The name is on a certificate and can no longer be changed by the learner."""


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _new_session_token() -> str:
    return secrets.token_hex(16)


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def register(email: str, full_name: str, password: str, locale: str) -> User:
    """A new learner who has consented to the current privacy notice; raises EmailTaken."""
    user = User(
        email=normalize_email(email),
        full_name=normalize_name(full_name),
        password_hash=hash_password(password),
        session_token=_new_session_token(),
        role="learner",
        locale=locale,
        consent_version=CONSENT_VERSION,
        consent_at=utcnow(),
    )
    if find_by_email(email) is not None:
        raise EmailTaken
    db.session.add(user)
    try:
        # A savepoint: a concurrent registration of the same e-mail fails here alone.
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as e:
        raise EmailTaken from e
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_by_email(email)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def set_password(user: User, password: str) -> None:
    """A new password signs out every other session of this user."""
    user.password_hash = hash_password(password)
    user.session_token = _new_session_token()


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def change_name(user: User, full_name: str) -> None:
    if user.name_locked_at is not None:
        raise NameLocked
    user.full_name = normalize_name(full_name)


def legal_name(raw: str) -> str:
    """The name as it would be stored (NFC, single spaces); raises names.InvalidName."""
    return normalize_name(raw)


def correct_name_by_admin(user: User, name: str) -> None:
    """An admin's correction, allowed even when the name is locked (a replacement
    certificate carries the new name)."""
    user.full_name = normalize_name(name)


def lock_name(user: User) -> None:
    """Called when a certificate first carries the name."""
    if user.name_locked_at is None:
        user.name_locked_at = utcnow()


def set_locale(user: User, locale: str) -> None:
    user.locale = locale


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def create_or_promote(email: str, full_name: str, role: str, password: str | None) -> User:
    """For the `course users add` command: a new account, or a new role for an existing one."""
    if role not in ROLES:
        raise ValueError(role)
    user = find_by_email(email)
    if user is None:
        if not password:
            raise ValueError("password")
        user = register(email, full_name, password, "kk")
    elif password:
        set_password(user, password)
    user.role = role
    return user


# ---------------------------------------------------------------- password reset


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def password_reset_token(user: User) -> str:
    # The session token changes with the password, so a used link stops working: one-time.
    return _reset_serializer().dumps({"u": user.id, "s": user.session_token})


def user_for_reset_token(token: str) -> User | None:
    """The user a valid, unexpired, unused reset link is for; None otherwise."""
    try:
        data = _reset_serializer().loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"]
        )
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    user = get_user(data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not secrets.compare_digest(user.session_token, str(data.get("s"))):
        return None
    return user


def send_password_reset(user: User, link: str) -> None:
    """The reset e-mail, in the learner's own language whatever the page's."""
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    with force_locale(user.locale):
        subject = _("Reset your password")
        body = _(
            "Hello, %(name)s.\n\n"
            "Someone asked to reset the password of your account on the observer course. "
            "To choose a new password, open this link within %(minutes)s minutes:\n\n"
            "%(link)s\n\n"
            "The link works once. If you did not ask for this, ignore this message: "
            "your password stays as it is.",
            name=user.full_name,
            minutes=minutes,
            link=link,
        )
    send_mail(user.email, subject, body)


# ---------------------------------------------------------------- Flask-Login


def init_login(app: Flask) -> None:
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = None  # the sign-in page itself says why
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        user_id, _sep, token = session_id.partition(":")
        if not user_id.isdigit():
            return None
        user = get_user(int(user_id))
        if user is None or not secrets.compare_digest(user.session_token, token):
            return None
        return user
