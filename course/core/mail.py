"""Outgoing e-mail: SMTP when configured, otherwise one .eml file per message in the outbox."""

from __future__ import annotations

import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from course.core.db import db, utcnow


def send_mail_after_commit(to: str, subject: str, body: str) -> None:
    """Send once the current transaction commits; never, if it rolls back.

    For mail announcing something the transaction creates (a certificate): a failed
    commit must not leave a learner holding a link to nothing.
    """
    app = current_app._get_current_object()
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before any query still drops the mail
    pending = session.info.setdefault("mail_after_commit", [])
    pending.append((app, to, subject, body))


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    for app, to, subject, body in session.info.pop("mail_after_commit", []):
        with app.app_context():
            send_mail(to, subject, body)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction) -> None:
    # Every rollback of the whole transaction, whether or not it reached the database;
    # a savepoint's rollback leaves the outer transaction's mail in place.
    if not previous_transaction.nested:
        session.info.pop("mail_after_commit", None)


def send_mail(to: str, subject: str, body: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid()
    message.set_content(body)
    if not config["MAIL_SERVER"]:
        outbox = Path(config["MAIL_OUTBOX"])
        outbox.mkdir(parents=True, exist_ok=True)
        name = f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        tmp = outbox / (name + ".tmp")
        tmp.write_bytes(bytes(message))
        tmp.rename(outbox / name)  # a reader never sees half a message
        return
    context = ssl.create_default_context()
    if config["MAIL_USE_SSL"]:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            config["MAIL_SERVER"], config["MAIL_PORT"], context=context, timeout=20
        )
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20)
    with smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=context)
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
