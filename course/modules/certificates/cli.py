"""`course keys …` (signing keys and the signed key list) and `course certs verify`."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from course.config import instance_dir
from course.core.db import db, utcnow
from course.modules.campaigns import services as campaigns
from course.modules.certificates import keys, services, verification

keys_group = AppGroup("keys", help="Signing keys and the root-signed list of them.")


def _ring() -> keys.Keyring:
    from course.modules.certificates.services.signing import keys_folder

    return keys.Keyring(keys_folder())


def _issuer() -> str:
    return current_app.config["COURSE_BASE_URL"]


@keys_group.command("init")
def keys_init() -> None:
    """Create the root key and a first signing key (once)."""
    created = _ring().init(utcnow(), _issuer())
    click.echo("created" if created else "keys exist already")
    _show()


@keys_group.command("rotate")
def keys_rotate() -> None:
    """Start a new signing key; the old one retires and keeps verifying what it signed."""
    entry = services.rotate_key()
    db.session.commit()
    click.echo(f"active signing key: {entry.kid}")
    if not (_ring().folder / "root.pem").exists():
        click.echo("the root key is not here: run `course keys sign-list --root-key FILE`")


@keys_group.command("withdraw")
@click.argument("kid")
def keys_withdraw(kid: str) -> None:
    """Withdraw a leaked signing key: everything it signed stops being valid.

    Withdrawing the active key first makes a new one, so issuing and the status list
    keep working."""
    try:
        replacement = services.withdraw_key(kid)
    except keys.KeyringError as e:
        raise click.ClickException(str(e)) from e
    db.session.commit()
    if replacement is not None:
        click.echo(f"it was the active key; new active signing key: {replacement.kid}")
    click.echo(f"withdrawn: {kid}")


@keys_group.command("sign-list")
@click.option(
    "--root-key",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="The root key's PEM file, when it is kept off the server.",
)
def keys_sign_list(root_key: Path | None) -> None:
    """Sign the published key list with the root key, naming the election days (the recorded
    elections and COURSE_ELECTION_DAYS)."""
    root = keys.load_private(root_key) if root_key else None
    try:
        signed = _ring().sign_list(
            utcnow(), _issuer(), root, election_days=campaigns.configured_election_days()
        )
    except keys.KeyringError as e:
        raise click.ClickException(str(e)) from e
    if signed is None:
        raise click.ClickException("the root key is not in the key folder: pass --root-key FILE")
    click.echo("key list signed")


@keys_group.command("show")
def keys_show() -> None:
    """The root key's fingerprint and the signing keys."""
    _show()


def _show() -> None:
    ring = _ring()
    if not ring.exists:
        click.echo("no keys yet: run `course keys init`")
        return
    click.echo(f"root key fingerprint: {keys.fingerprint(ring.root_public())}")
    for entry in ring.entries():
        window = f"{entry.not_before} … {entry.not_after or 'now'}"
        click.echo(f"  {entry.kid}  {entry.status:9}  {window}")


# ---------------------------------------------------------------- verify, with no app


certs = click.Group("certs", help="Certificates.")

MESSAGES = {
    verification.VALID: "VALID",
    verification.REVOKED: "REVOKED: the issuer has revoked this certificate",
    verification.REPLACED: "REPLACED: a corrected certificate replaced this one",
    verification.WITHDRAWN: "INVALID: signed by a withdrawn key",
    verification.FORGED: "FORGED: the signature does not hold",
    verification.UNKNOWN_KEY: "UNKNOWN KEY: not signed by any key in the key list",
}


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise click.ClickException(f"cannot read {path}: {e}") from e


@certs.command("verify")
@click.argument("subject")
@click.option(
    "--keys",
    "keys_file",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="A saved copy of /.well-known/course-keys.json (default: this instance's).",
)
@click.option(
    "--status",
    "status_file",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="A saved copy of the status list (/status/1); without it, revocation is not checked.",
)
@click.option(
    "--root-fingerprint",
    default=None,
    help="The issuer's published root key fingerprint (course keys show); the key list "
    "must be signed by that root. Default: this instance's root key.",
)
@click.option(
    "--election-days",
    default=None,
    help="YYYY-MM-DD[,…] (Kazakhstan's date): on these days the status list may be at most "
    "24 hours old instead of 7 days, as well as those the key list names. Default: "
    "COURSE_ELECTION_DAYS.",
)
@click.option("--allow-stale", is_flag=True, help="Accept a status list older than the limit.")
@click.option(
    "--now",
    "now_text",
    default=None,
    help="Judge as of this time (ISO 8601 with a zone), e.g. for an audit. Default: now.",
)
def certs_verify(
    subject: str,
    keys_file: Path | None,
    status_file: Path | None,
    root_fingerprint: str | None,
    election_days: str | None,
    allow_stale: bool,
    now_text: str | None,
) -> None:
    """Verify a certificate with no network: a QR text, a PDF, or an Open Badges JSON file.

    The key list must be signed by the pinned root (--root-fingerprint, or this
    instance's root key), and the status list must be fresh (7 days; 24 hours on an
    election day) unless --allow-stale: exit 0 only for a valid certificate.
    """
    keys_file = keys_file or instance_dir() / "keys" / "course-keys.json"
    if not keys_file.exists():
        raise click.ClickException("no key list: pass --keys FILE")
    key_list = _read_json(keys_file)
    status = _read_json(status_file) if status_file else None
    pinned = _pinned_fingerprint(root_fingerprint)
    now = _now(now_text)
    try:
        listed_root = keys.fingerprint(keys.public_from_b64(key_list["root_key"]))
    except (KeyError, TypeError, ValueError) as e:
        raise click.ClickException("the key list names no root key: get a genuine copy") from e
    if _compact(listed_root) != _compact(pinned):
        click.echo("FORGED: the key list is not signed by the pinned root key")
        click.echo(f"pinned root key fingerprint: {pinned}")
        click.echo(f"the list's root key:         {listed_root}")
        sys.exit(1)
    path = Path(subject)
    try:
        if path.suffix.lower() == ".pdf" and path.exists():
            text = verification.qr_text_from_pdf(path.read_bytes())
            if text is None:
                raise click.ClickException("no QR code found in the PDF")
            verdict = verification.verify(text, key_list, status)
        elif path.suffix.lower() == ".json" and path.exists():
            verdict = verification.verify_credential(_read_json(path), key_list, status)
        else:
            verdict = verification.verify(subject, key_list, status)
    except verification.UntrustedList as e:
        raise click.ClickException(f"the {e} is not validly signed: get a genuine copy") from e
    stale = False
    if status is not None:
        days = (*_election_days(election_days), *keys.election_days_of(key_list))
        limit = verification.fresh_hours(now, days)
        stale = not verification.is_fresh(status, now, limit) and not allow_stale
    if stale and verdict.status == verification.VALID:
        click.echo(STALE_MESSAGE)
    else:
        click.echo(MESSAGES[verdict.status])
    click.echo(f"root key fingerprint: {listed_root}")
    if verdict.claims:
        c = verdict.claims
        click.echo(f"code: {c.code[:4]}-{c.code[4:8]}-{c.code[8:12]}-{c.code[12:]}")
        click.echo(f"name: {c.name}")
        click.echo(
            f"edition: {c.edition}; completed: {c.completed.isoformat()}; "
            f"issued: {c.issued_at.isoformat()}"
        )
        click.echo("compare the name with the holder's identity document")
    if verdict.superseded:
        click.echo(
            "superseded: a newer edition of the course exists; the certificate stays valid, "
            "a refresher course is recommended"
        )
    if status is None:
        click.echo("revocation not checked: pass --status FILE (a fresh copy of /status/1)")
    else:
        signed = verification.signed_at(status)
        age = f"{(now - signed).total_seconds() / 3600:.1f} hours old" if signed else "undated"
        click.echo(f"revocation data as of {signed.isoformat() if signed else '?'} ({age})")
    sys.exit(0 if verdict.status == verification.VALID and not stale else 1)


STALE_MESSAGE = (
    "STALE: the revocation data is older than the limit; get a fresh /status/1 "
    "(or pass --allow-stale)"
)


def _compact(fingerprint: str) -> str:
    return "".join(fingerprint.split()).upper()


def _pinned_fingerprint(given: str | None) -> str:
    if given:
        return given
    root = instance_dir() / "keys" / "root.pub"
    if root.exists():
        return keys.fingerprint(keys.public_from_b64(root.read_text(encoding="utf-8").strip()))
    raise click.ClickException(
        "no root key to trust: pass --root-fingerprint (the one the issuer publishes)"
    )


def _election_days(given: str | None) -> tuple[str, ...]:
    text = given if given is not None else os.environ.get("COURSE_ELECTION_DAYS", "")
    return tuple(day.strip() for day in text.split(",") if day.strip())


def _now(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as e:
        raise click.BadParameter("write an ISO 8601 time, e.g. 2027-03-20T08:00+05:00") from e
    if moment.tzinfo is None:
        raise click.BadParameter("give the time zone, e.g. 2027-03-20T08:00+05:00")
    return moment
