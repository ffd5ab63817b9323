"""The instance's signing keys as the certificate services use them: the keyring, rotation
and withdrawal (recorded in the security log), the root key's fingerprint, the issuer's
address, the IIN key."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import current_app

from course.config import secret_in_file
from course.core.db import utcnow
from course.modules.certificates import (
    cose,
    keys,
)
from course.modules.certificates.keys import Keyring
from course.modules.security import services as security


def withdrawn_kids() -> frozenset[str]:
    """Key ids whose signatures no longer count."""
    ring = keyring()
    return frozenset(e.kid for e in ring.entries() if e.status == keys.WITHDRAWN)


def rotate_key(now: datetime | None = None):
    """A new active signing key (the old one retires and keeps verifying)."""
    entry = keyring().rotate(now or utcnow(), issuer())
    security.record("key_rotated", subject=f"key:{entry.kid}")
    return entry


def withdraw_key(kid: str, now: datetime | None = None):
    """Withdraw a (leaked) signing key: everything it signed becomes invalid. When it is
    the active key, a new one is made first, so that issuing and the status list keep
    working. Returns the new active entry in that case, else None."""
    now = now or utcnow()
    ring = keyring()
    entries = ring.entries()
    if not any(e.kid == kid for e in entries):
        raise keys.KeyringError(f"no signing key {kid}")
    replacement = None
    if any(e.kid == kid and e.status == keys.ACTIVE for e in entries):
        replacement = rotate_key(now)
    ring.withdraw(kid, now, issuer())
    security.record("key_withdrawn", subject=f"key:{kid}")
    return replacement


def keyring() -> Keyring:
    ring = Keyring(Path(current_app.instance_path) / "keys")
    if not ring.exists:
        ring.init(utcnow(), issuer())
    return ring


def issuer() -> str:
    return current_app.config["COURSE_BASE_URL"]


def root_fingerprint() -> str:
    """The root key's fingerprint, to read aloud and compare with the published one."""
    from course.modules.certificates.keys import fingerprint

    return fingerprint(keyring().root_public())


def root_key() -> str:
    """The root public key (raw, base64url): the trust anchor an offline verifier pins."""
    from course.modules.certificates.keys import b64

    return b64(cose.raw_public_key(keyring().root_public()))


def iin_secret() -> bytes:
    """The HMAC key for IINs: outside the database, in the instance folder (or the env)."""
    given = current_app.config.get("IIN_HMAC_KEY")
    if given:
        return given.encode()
    return secret_in_file(Path(current_app.instance_path) / "iin_hmac_key").encode()
