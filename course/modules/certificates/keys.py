"""Signing keys, the root key, and the signed list of keys that verifiers trust. No Flask.

Layout of the key folder (`<instance>/keys/`):
    root.pem             the root key (Ed25519). It signs only the key list, so it can be
                         moved off the server and brought back to sign the list again.
    root.pub             the root's public key (raw, base64url): the trust anchor.
    signing-<kid>.pem    a signing key; <kid> is the hex of the first 8 bytes of
                         SHA-256 of its raw public key.
    keyring.json         the signing keys' windows and status (active/retired/withdrawn).
    course-keys.json     the published, root-signed list (served at
                         /.well-known/course-keys.json), with the election days.
A signing key signs certificates during its window and keeps verifying them after it is
retired; a withdrawn key (a leak) makes everything it signed invalid.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from course.core.files import file_lock
from course.modules.certificates import cose, integrity

ACTIVE, RETIRED, WITHDRAWN = "active", "retired", "withdrawn"
INIT_LOCK = ".init.lock"  # hidden, and empty: holds no key


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, in groups of four hex digits, to read aloud."""
    digest = hashlib.sha256(cose.raw_public_key(public_key)).hexdigest().upper()
    return " ".join(digest[i : i + 4] for i in range(0, 64, 4))


def public_from_b64(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(unb64(text))


@dataclass
class KeyEntry:
    kid: str
    public_key: str
    not_before: str
    not_after: str | None
    status: str

    def public(self) -> Ed25519PublicKey:
        return public_from_b64(self.public_key)

    def signing_time(self, moment: datetime) -> datetime:
        """`moment`, or this key's start if it is earlier: what a signature made now with
        this key may say it was signed at. A certificate timed just before the first key
        was made (a fresh server) or before a rotation, or signed again after one (the IIN
        tag), would otherwise claim a time its key does not cover, and every verifier
        would call it forged."""
        return max(moment, datetime.fromisoformat(self.not_before))

    def covers(self, when: datetime) -> bool:
        start = datetime.fromisoformat(self.not_before)
        end = datetime.fromisoformat(self.not_after) if self.not_after else None
        return start <= when and (end is None or when <= end)


class KeyringError(Exception):
    """A key operation cannot be done; the message says why."""


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def load_private(path: Path) -> Ed25519PrivateKey:
    key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyringError(f"{path} is not an Ed25519 key")
    return key


class Keyring:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    # -- reading

    @property
    def exists(self) -> bool:
        # course-keys.json is the last file init() writes: a ring seen half-made is not one.
        return all(
            (self.folder / name).exists()
            for name in ("root.pub", "keyring.json", "course-keys.json")
        )

    def entries(self) -> list[KeyEntry]:
        data = json.loads((self.folder / "keyring.json").read_text(encoding="utf-8"))
        return [KeyEntry(**entry) for entry in data["keys"]]

    def root_public(self) -> Ed25519PublicKey:
        return public_from_b64((self.folder / "root.pub").read_text(encoding="utf-8").strip())

    def active(self) -> tuple[KeyEntry, Ed25519PrivateKey]:
        entry = next((e for e in self.entries() if e.status == ACTIVE), None)
        if entry is None:
            raise KeyringError("no active signing key: run `course keys rotate`")
        return entry, load_private(self.folder / f"signing-{entry.kid}.pem")

    def _listed(self) -> bool:
        return (self.folder / "course-keys.json").exists()

    def published(self) -> dict:
        return json.loads((self.folder / "course-keys.json").read_text(encoding="utf-8"))

    # -- changing

    def _save(self, entries: list[KeyEntry]) -> None:
        payload = {"keys": [asdict(e) for e in entries]}
        _write_atomic(self.folder / "keyring.json", json.dumps(payload, indent=2))

    def init(self, now: datetime, issuer: str) -> bool:
        """Create the root and a first signing key; False when they exist already.

        Two requests of a fresh server (a service worker fetches several pages at once),
        or two workers, may both find no keys: one makes them, the other waits and uses
        them, so there is never a second root.
        """
        if self.exists:
            return False
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with file_lock(self.folder / INIT_LOCK):
            if self.exists:
                return False
            if self._has_signing_key():
                # Killed after the first signing key was recorded: keep every key (one
                # may have signed already) and only sign the list that is missing.
                self.sign_list(now, issuer)
                return False
            # Killed earlier than that: no key was ever usable, so start again.
            for leftover in [
                *(self.folder / name for name in ("root.pem", "root.pub", "keyring.json")),
                *self.folder.glob("signing-*.pem"),
            ]:
                leftover.unlink(missing_ok=True)
            self._make(now, issuer)
        return True

    def _has_signing_key(self) -> bool:
        try:
            return bool(self.entries()) and (self.folder / "root.pub").exists()
        except (OSError, ValueError):
            return False

    def _make(self, now: datetime, issuer: str) -> None:
        root = Ed25519PrivateKey.generate()
        _write_private(self.folder / "root.pem", root)
        _write_atomic(self.folder / "root.pub", b64(cose.raw_public_key(root.public_key())))
        self._save([])
        self.rotate(now, issuer, root)

    def rotate(self, now: datetime, issuer: str, root: Ed25519PrivateKey | None = None) -> KeyEntry:
        """A new active signing key; the previous one is retired (it still verifies)."""
        # Whole seconds: a signed payload carries its issue time in whole seconds.
        now = now.replace(microsecond=0)
        key = Ed25519PrivateKey.generate()
        kid = cose.key_id(key.public_key()).hex()
        _write_private(self.folder / f"signing-{kid}.pem", key)
        entries = self.entries()
        for entry in entries:
            if entry.status == ACTIVE:
                entry.status, entry.not_after = RETIRED, now.isoformat()
        entry = KeyEntry(
            kid, b64(cose.raw_public_key(key.public_key())), now.isoformat(), None, ACTIVE
        )
        entries.append(entry)
        self._save(entries)
        self.sign_list(now, issuer, root)
        return entry

    def withdraw(self, kid: str, now: datetime, issuer: str) -> None:
        entries = self.entries()
        found = [e for e in entries if e.kid == kid]
        if not found:
            raise KeyringError(f"no signing key {kid}")
        if any(e.status == ACTIVE for e in found):
            # Nothing could be signed any more (the status list answered 500): rotate first.
            raise KeyringError(f"{kid} is the active signing key: rotate first")
        for entry in found:
            entry.status = WITHDRAWN
            entry.not_after = entry.not_after or now.isoformat()
        self._save(entries)
        self.sign_list(now, issuer)

    def sign_list(
        self,
        now: datetime,
        issuer: str,
        root: Ed25519PrivateKey | None = None,
        election_days: Iterable[str] | None = None,
    ) -> dict | None:
        """Sign the published key list with the root key; None when the root is not here.

        The list also names the election days (YYYY-MM-DD, Kazakhstan's date) on which an
        offline verifier accepts revocation data at most 24 hours old: under the root's
        signature, so no one between the issuer and a commission can take one away.
        `None` keeps the days the list named before (a rotation knows nothing of them).
        """
        if election_days is None:
            election_days = self.published().get("election_days", []) if self._listed() else []
        if root is None:
            root_path = self.folder / "root.pem"
            if not root_path.exists():
                return None
            root = load_private(root_path)
        if cose.raw_public_key(root.public_key()) != cose.raw_public_key(self.root_public()):
            raise KeyringError("that root key does not match root.pub")
        document = {
            "issuer": issuer,
            "updated": now.isoformat(),
            "root_key": b64(cose.raw_public_key(root.public_key())),
            "keys": [asdict(e) for e in self.entries()],
            "election_days": sorted(set(election_days)),
        }
        signed = integrity.add_proof(document, root, "root", now.isoformat())
        _write_atomic(self.folder / "course-keys.json", json.dumps(signed, indent=2))
        return signed


def verify_key_list(document: dict, root_public: Ed25519PublicKey | None = None) -> bool:
    """The list is signed by its root (by this root, when one is pinned)."""
    try:
        embedded = public_from_b64(document["root_key"])
    except (KeyError, TypeError, ValueError):
        return False
    if root_public is not None and cose.raw_public_key(root_public) != cose.raw_public_key(
        embedded
    ):
        return False
    return integrity.verify_proof(document, embedded)


def election_days_of(document: dict) -> tuple[str, ...]:
    """The election days a (verified) key list names; anything not a YYYY-MM-DD is left out."""
    days = document.get("election_days", [])
    if not isinstance(days, list):
        return ()
    found = []
    for day in days:
        try:
            found.append(date.fromisoformat(day).isoformat())
        except (TypeError, ValueError):
            continue
    return tuple(day for day in found if len(day) == 10)


def entries_of(document: dict) -> list[KeyEntry]:
    return [KeyEntry(**entry) for entry in document.get("keys", [])]
