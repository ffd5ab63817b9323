"""Accounts themselves: passwords (argon2id), sign-in, names, language, roles, and the
`course users add` use-case."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from course.core.access import ROLES
from course.core.db import db, utcnow
from course.modules.accounts.models import PasswordResetToken, User
from course.modules.accounts.names import normalize_name
from course.modules.security import services as security

CONSENT_VERSION = "2026-12-02"
MIN_PASSWORD_LENGTH = 12  # ASVS 2.1.1
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


def new_session_token() -> str:
    return secrets.token_hex(16)


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


# Built once: session.get makes its statement anew each time, which costs about as much
# as running it; the session check at the start of every request uses this instead.
_BY_ID = select(User).where(User.id == bindparam("user_id"))


def load_user(user_id: int) -> User | None:
    """The account, for the session check at the start of a request (one query; the user
    is then in the session, so `get_user` finds it without another)."""
    return db.session.execute(_BY_ID, {"user_id": user_id}).scalar_one_or_none()


def get_users(user_ids: list[int]) -> dict[int, User]:
    """The accounts with these ids, by id: one query per 500 (a roster's names)."""
    found: dict[int, User] = {}
    unique = sorted(set(user_ids))
    for start in range(0, len(unique), 500):
        batch = unique[start : start + 500]
        found.update((u.id, u) for u in db.session.scalars(select(User).where(User.id.in_(batch))))
    return found


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def register(email: str, full_name: str, password: str, locale: str) -> User:
    """A new learner who has consented to the current privacy notice; raises EmailTaken."""
    user = User(
        email=normalize_email(email),
        full_name=normalize_name(full_name),
        password_hash=hash_password(password),
        session_token=new_session_token(),
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
    user.session_token = new_session_token()
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


def sign_out(user: User) -> None:
    """End every session of this user on the server: a copied session or remember-me
    cookie carries the old token and stops working."""
    user.session_token = new_session_token()


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
