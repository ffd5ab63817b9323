"""Registration confirmed by e-mail: nothing is made until the owner of the address opens
the link, so neither form tells a stranger who has an account."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from course.core.db import db, utcnow
from course.core.i18n import _
from course.core.links import absolute_url
from course.core.mail import send_mail_later
from course.modules.accounts.models import PendingRegistration, User
from course.modules.accounts.names import normalize_name
from course.modules.accounts.services.people import (
    CONSENT_VERSION,
    find_by_email,
    hash_password,
    new_session_token,
    normalize_email,
)

REGISTRATION_LINK_VALID = timedelta(hours=24)


def secret_hash(secret: str) -> str:
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
            token_hash=secret_hash(token),
            expires_at=now + REGISTRATION_LINK_VALID,
        )
    )
    db.session.flush()
    return RegistrationStarted(email, token=token)


def pending_registration(token: str, now=None) -> PendingRegistration | None:
    pending = db.session.scalar(
        select(PendingRegistration).where(PendingRegistration.token_hash == secret_hash(token))
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
        session_token=new_session_token(),
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
