"""Account use-cases: register, authenticate, reset a password, change name or language.

Services take plain values, flush but never commit, and never read the request.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, request, session
from flask_babel import force_locale
from flask_login import current_user, logout_user
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from course.core.access import ROLES
from course.core.db import db, utcnow
from course.core.i18n import _
from course.core.links import absolute_url
from course.core.mail import send_mail_later
from course.extensions import login_manager
from course.modules.accounts.models import PasswordResetToken, PendingRegistration, User
from course.modules.accounts.names import normalize_name
from course.modules.security import services as security

# The privacy notice a learner consents to; a new text gets a new version.
CONSENT_VERSION = "2026-12-02"
MIN_PASSWORD_LENGTH = 12  # ASVS 2.1.1
MAX_PASSWORD_LENGTH = 128
REGISTRATION_LINK_VALID = timedelta(hours=24)
# The session's last-seen time is written at most this often (each write is a cookie).
SEEN_GRANULARITY_SECONDS = 60

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
    """A new password signs out every other session and voids every reset link."""
    user.password_hash = hash_password(password)
    user.session_token = _new_session_token()
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


def sign_out(user: User) -> None:
    """End every session of this user on the server: a copied session or remember-me
    cookie carries the old token and stops working."""
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
    set_role(user, role)
    return user


def set_role(user: User, role: str, actor_id: int | None = None) -> None:
    """A new role, recorded in the security log when it changes anything."""
    if role not in ROLES:
        raise ValueError(role)
    if user.role != role:
        security.record(
            "role_changed",
            actor_id=actor_id,
            subject=f"user:{user.id}",
            detail=f"{user.role} -> {role}",
        )
        user.role = role


# ---------------------------------------------------------------- registration by e-mail


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class RegistrationStarted:
    """What `start_registration` did: a link to send to a new address, or the owner of
    an existing account to warn. The page says the same in both cases."""

    email: str
    token: str | None = None
    existing: User | None = None


def start_registration(
    email: str, full_name: str, password: str, locale: str, now=None
) -> RegistrationStarted:
    """Keep the registration until the address is confirmed; creates no account yet."""
    now = now or utcnow()
    email = normalize_email(email)
    # Hashed in both cases, so the answer takes as long for a known address.
    password_hash = hash_password(password)
    name = normalize_name(full_name)
    existing = find_by_email(email)
    if existing is not None:
        return RegistrationStarted(email, existing=existing)
    token = secrets.token_urlsafe(32)
    db.session.add(
        PendingRegistration(
            email=email,
            full_name=name,
            password_hash=password_hash,
            locale=locale,
            consent_version=CONSENT_VERSION,
            consent_at=now,
            token_hash=_secret_hash(token),
            expires_at=now + REGISTRATION_LINK_VALID,
        )
    )
    db.session.flush()
    return RegistrationStarted(email, token=token)


def pending_registration(token: str, now=None) -> PendingRegistration | None:
    pending = db.session.scalar(
        select(PendingRegistration).where(PendingRegistration.token_hash == _secret_hash(token))
    )
    if pending is None or pending.expires_at <= (now or utcnow()):
        return None
    return pending


def confirm_registration(token: str, now=None) -> User | None:
    """The new account, once the link from the e-mail is used; None for a link that is
    unknown, expired or used, or when the address has an account by now."""
    pending = pending_registration(token, now)
    if pending is None:
        return None
    email = pending.email
    db.session.execute(delete(PendingRegistration).where(PendingRegistration.email == email))
    if find_by_email(email) is not None:
        return None
    user = User(
        email=email,
        full_name=pending.full_name,
        password_hash=pending.password_hash,
        session_token=_new_session_token(),
        role="learner",
        locale=pending.locale,
        consent_version=pending.consent_version,
        consent_at=pending.consent_at,
    )
    db.session.add(user)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        return None  # the same link opened twice at once: the first one made the account
    return user


def send_registration_mail(started: RegistrationStarted, lang: str) -> None:
    """The confirmation link to a new address, or a warning to an existing account's owner."""
    if started.existing is not None:
        user = started.existing
        with force_locale(user.locale):
            subject = _("Someone tried to register with your e-mail")
            body = _(
                "Hello, %(name)s.\n\n"
                "Someone tried to register on the observer course with this e-mail "
                "address, but you already have an account. If it was you, sign in:\n\n"
                "%(sign_in)s\n\n"
                "If you have forgotten your password, choose a new one here:\n\n"
                "%(reset)s\n\n"
                "If it was not you, ignore this message: nothing has changed.",
                name=user.full_name,
                sign_in=absolute_url("accounts.sign_in", lang=user.locale),
                reset=absolute_url("accounts.forgot_password", lang=user.locale),
            )
        send_mail_later(user.email, subject, body)
        return
    with force_locale(lang):
        subject = _("Confirm your e-mail to finish registering")
        body = _(
            "Hello.\n\n"
            "To finish registering on the observer course, open this link within "
            "24 hours:\n\n%(link)s\n\n"
            "If you did not register, ignore this message: no account is made.",
            link=absolute_url("accounts.confirm_registration", token=started.token, lang=lang),
        )
    send_mail_later(started.email, subject, body)


# ---------------------------------------------------------------- password reset


def password_reset_token(user: User, now=None) -> str:
    """A new one-time reset secret for the link; only its hash is kept."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=_secret_hash(token),
            created_at=now,
            expires_at=now + timedelta(seconds=current_app.config["PASSWORD_RESET_MAX_AGE"]),
        )
    )
    db.session.flush()
    return token


def _reset_record(token: str, now=None) -> PasswordResetToken | None:
    record = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _secret_hash(token))
    )
    if record is None or record.used_at is not None or record.expires_at <= (now or utcnow()):
        return None
    return record


def user_for_reset_token(token: str, now=None) -> User | None:
    """The user a valid, unexpired, unused reset link is for; None otherwise."""
    record = _reset_record(token, now)
    return get_user(record.user_id) if record else None


def reset_password(token: str, password: str, now=None) -> User | None:
    """Use the link once: the new password, every session ended, every link void."""
    record = _reset_record(token, now)
    if record is None:
        return None
    user = get_user(record.user_id)
    set_password(user, password)  # marks this link used with the others
    security.record("password_reset_used", actor_id=user.id, subject=f"user:{user.id}")
    return user


def send_password_reset(user: User, token: str) -> None:
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
            link=absolute_url("accounts.reset_password", token=token, lang=user.locale),
        )
    send_mail_later(user.email, subject, body)


def send_password_changed(user: User) -> None:
    """Tell the owner, so that a change they did not make does not go unnoticed."""
    with force_locale(user.locale):
        subject = _("Your password was changed")
        body = _(
            "Hello, %(name)s.\n\n"
            "The password of your account on the observer course was just changed, and "
            "every session was signed out. If it was you, nothing more is needed.\n\n"
            "If it was not you, choose a new password at once:\n\n%(reset)s",
            name=user.full_name,
            reset=absolute_url("accounts.forgot_password", lang=user.locale),
        )
    send_mail_later(user.email, subject, body)


def request_password_reset(email: str) -> None:
    """Send a reset link if the address has an account; the caller answers the same
    either way (and the mail leaves after the response, so timing does not tell)."""
    user = find_by_email(email)
    security.record(
        "password_reset_requested",
        actor_id=user.id if user else None,
        subject=f"user:{user.id}" if user else f"email:{normalize_email(email)}",
    )
    if user is not None:
        send_password_reset(user, password_reset_token(user))


# ---------------------------------------------------------------- Flask-Login


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
        user = get_user(int(user_id))
        if user is None or not secrets.compare_digest(user.session_token, token):
            return None
        return user
