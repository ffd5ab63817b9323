"""`course users …`: create accounts and give roles from the command line."""

from __future__ import annotations

import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup

from course.core.access import ROLES
from course.core.db import db
from course.modules.accounts import services
from course.modules.accounts.names import InvalidName

users = AppGroup("users", help="Manage user accounts.")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@users.command("add")
@click.argument("email")
@click.option("--name", "full_name", default="", help="Full legal name (required for a new user).")
@click.option("--role", type=click.Choice(ROLES), default="learner", show_default=True)
def add_user(email: str, full_name: str, role: str) -> None:
    """Create a user, or give an existing one ROLE (and a new password, if one is given).

    The password is asked for at a terminal, or read as one line from standard input.
    """
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as e:
        raise click.UsageError(f"not a valid e-mail address: {e}") from e
    existing = services.find_by_email(email)
    if existing is None and not full_name:
        raise click.UsageError("--name is required for a new user")
    password = _read_password()
    # An empty line keeps an existing user's password; a new user must get one.
    if (existing is None or password) and len(password) < services.MIN_PASSWORD_LENGTH:
        raise click.UsageError(
            f"the password must have at least {services.MIN_PASSWORD_LENGTH} characters"
        )
    try:
        user = services.create_or_promote(email, full_name, role, password or None)
    except InvalidName as e:
        raise click.UsageError(f"the name is not valid ({e.reason})") from e
    if full_name and existing is not None and user.name_locked_at is None:
        services.change_name(user, full_name)
    db.session.commit()
    click.echo(f"{'updated' if existing else 'created'}: {user.email} ({user.role})")
