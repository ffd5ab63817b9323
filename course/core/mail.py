"""Outgoing e-mail: SMTP when configured, otherwise one .eml file per message in the outbox.

Mail goes out on a background thread, after the response: how long a request takes must
not tell whether it sent a message (an account exists) or not, and a slow SMTP server
must not hold a worker. `wait_for_mail()` lets tests and commands wait for it.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from course.config import private_folder
from course.core.db import db, utcnow

log = logging.getLogger(__name__)
_sender = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mail")
_pending: set[Future] = set()
_pending_lock = threading.Lock()


def send_mail_later(to: str, subject: str, body: str) -> None:
    """Send on the background thread; the caller does not wait, nor learn of failures
    (they are logged)."""
    app = current_app._get_current_object()

    def run() -> None:
        try:
            with app.app_context():
                send_mail(to, subject, body)
        except Exception:
            log.exception("could not send mail to %s", to.split("@")[-1])

    future = _sender.submit(run)
    with _pending_lock:
        _pending.add(future)
    future.add_done_callback(_forget)


def _forget(future: Future) -> None:
    with _pending_lock:
        _pending.discard(future)


def wait_for_mail(timeout: float = 30) -> None:
    """Block until every message handed to the background thread has been sent."""
    with _pending_lock:
        waiting = list(_pending)
    for future in waiting:
        future.result(timeout=timeout)


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
            send_mail_later(to, subject, body)


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
    # One line: a CR or LF from user data (an organisation's name) would end the header.
    message["Subject"] = " ".join(subject.split())
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid()
    message.set_content(body)
    if not config["MAIL_SERVER"]:
        outbox = private_folder(Path(config["MAIL_OUTBOX"]))
        # Microseconds, so that names sort in the order the messages were written.
        name = f"{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
        tmp = outbox / (name + ".tmp")
        # Mode 600: a message may hold a reset link.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(bytes(message))
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
