"""`course keys …` (signing keys and the signed key list) and `course certs verify`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from course.config import instance_dir
from course.core.db import db, utcnow
from course.modules.certificates import keys, services, verification

keys_group = AppGroup("keys", help="Signing keys and the root-signed list of them.")


def _ring() -> keys.Keyring:
    return keys.Keyring(Path(current_app.instance_path) / "keys")


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
    """Sign the published key list with the root key."""
    root = keys.load_private(root_key) if root_key else None
    try:
        signed = _ring().sign_list(utcnow(), _issuer(), root)
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
def certs_verify(subject: str, keys_file: Path | None, status_file: Path | None) -> None:
    """Verify a certificate with no network: a QR text, a PDF, or an Open Badges JSON file."""
    keys_file = keys_file or instance_dir() / "keys" / "course-keys.json"
    if not keys_file.exists():
        raise click.ClickException("no key list: pass --keys FILE")
    key_list = _read_json(keys_file)
    status = _read_json(status_file) if status_file else None
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
    click.echo(MESSAGES[verdict.status])
    root = keys.public_from_b64(key_list["root_key"])
    click.echo(f"root key fingerprint: {keys.fingerprint(root)}")
    if verdict.claims:
        c = verdict.claims
        click.echo(f"code: {c.code[:4]}-{c.code[4:8]}-{c.code[8:12]}-{c.code[12:]}")
        click.echo(f"name: {c.name}")
        click.echo(
            f"edition: {c.edition}; completed: {c.completed.isoformat()}; "
            f"issued: {c.issued_at.isoformat()}"
        )
        click.echo("compare the name with the holder's identity document")
    if status is None:
        click.echo("revocation not checked: pass --status FILE (a fresh copy of /status/1)")
    sys.exit(0 if verdict.status == verification.VALID else 1)
