"""The instance's signing keys as the certificate services use them: the keyring, rotation
and withdrawal (recorded in the security log), the root key's fingerprint, the issuer's
address, the IIN key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from flask import current_app

from course.config import secret_in_file
from course.core.db import utcnow
from course.modules.certificates import (
    cose,
    keys,
)
from course.modules.certificates.keys import Keyring
from course.modules.security import services as security

T = TypeVar("T")


def _read_when_changed(name: str, path: Path, read: Callable[[], T]) -> T:
    """`read()`, made again only when the file at `path` has changed since. The key
    folder's files are replaced whole when they change (a rotation, a withdrawal, by this
    process or by `course keys …` in another), so a new inode or time tells; one stat per
    call instead of reading and parsing the file for every verification."""
    found = path.stat()
    stamp = (found.st_ino, found.st_mtime_ns, found.st_size)
    kept: dict = current_app.extensions.setdefault("certificates.key_files", {})
    entry = kept.get((name, path))
    if entry is None or entry[0] != stamp:
        entry = (stamp, read())  # stat first: a change in between is read again next time
        kept[(name, path)] = entry
    return entry[1]


def withdrawn_kids() -> frozenset[str]:
    """Key ids whose signatures no longer count."""
    ring = keyring()
    return _read_when_changed(
        "withdrawn",
        ring.folder / "keyring.json",
        lambda: frozenset(e.kid for e in ring.entries() if e.status == keys.WITHDRAWN),
    )


def active_kid() -> str | None:
    """The id of the key that signs now (None if there is none)."""
    ring = keyring()
    return _read_when_changed(
        "active",
        ring.folder / "keyring.json",
        lambda: next((e.kid for e in ring.entries() if e.status == keys.ACTIVE), None),
    )


def published_key_list() -> dict:
    """The root-signed key list as published (course-keys.json), read when it changes."""
    ring = keyring()
    return _read_when_changed("published", ring.folder / "course-keys.json", ring.published)


def rotate_key(now: datetime | None = None):
    """A new active signing key (the old one retires and keeps verifying)."""
    entry = keyring().rotate(now or utcnow(), issuer())
    security.record("key_rotated", subject=f"key:{entry.kid}")
    return entry


def publish_election_days(days: list[str]) -> bool:
    """Sign the key list again naming these election days; False when the root key is not
    on this server (then `course keys sign-list --root-key FILE` publishes them)."""
    return keyring().sign_list(utcnow(), issuer(), election_days=days) is not None


def published_election_days() -> tuple[str, ...]:
    """The election days the published key list names."""
    return keys.election_days_of(published_key_list())


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


def keys_folder() -> Path:
    """COURSE_KEYS_DIR (the same folder for every app server), or `<instance>/keys`."""
    configured = current_app.config.get("KEYS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "keys"


def keyring() -> Keyring:
    ring = Keyring(keys_folder())
    if not ring.exists:
        if current_app.config.get("KEYS_DIR"):
            # A configured folder that is empty is a mount that failed or a server set up
            # wrong: minting a new root there would make this server's certificates
            # fail every verifier that pins the real one.
            raise keys.KeyringError(
                f"no keys in {ring.folder} (COURSE_KEYS_DIR): make them once with "
                "`course keys init`, and give every app server that same folder"
            )
        ring.init(utcnow(), issuer())
    return ring


def issuer() -> str:
    return current_app.config["COURSE_BASE_URL"]


def root_fingerprint() -> str:
    """The root key's fingerprint, to read aloud and compare with the published one."""
    from course.modules.certificates.keys import fingerprint

    ring = keyring()
    return _read_when_changed(
        "fingerprint", ring.folder / "root.pub", lambda: fingerprint(ring.root_public())
    )


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
