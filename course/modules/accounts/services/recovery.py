"""Password recovery: random one-time links kept only as hashes, and the mails that
announce a reset or a changed password."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from course.core.db import db, utcnow
from course.core.i18n import _
from course.core.links import absolute_url
from course.core.mail import send_mail_later
from course.modules.accounts.models import PasswordResetToken, User
from course.modules.accounts.services.people import (
    find_by_email,
    get_user,
    normalize_email,
    set_password,
)
from course.modules.accounts.services.registration import secret_hash
from course.modules.security import services as security


def password_reset_token(user: User, now=None) -> str:
    """A new one-time reset secret for the link; only its hash is kept."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=secret_hash(token),
            created_at=now,
            expires_at=now + timedelta(seconds=current_app.config["PASSWORD_RESET_MAX_AGE"]),
        )
    )
    db.session.flush()
    return token


def _reset_record(token: str, now=None) -> PasswordResetToken | None:
    record = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == secret_hash(token))
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
