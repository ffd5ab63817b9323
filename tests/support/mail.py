"""The mail an app sent: its outbox, and the link in a message."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

from course.core.mail import wait_for_mail


def outbox(app) -> list:
    """The messages in the app's outbox, oldest first, once the mail thread is done."""
    wait_for_mail()
    folder = Path(app.config["MAIL_OUTBOX"])
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted(folder.glob("*.eml"))
    ]


def link_path(message) -> str:
    """The path of the first http(s) link in a message's body; fails if there is none."""
    links = re.findall(r"https?://\S+", message.get_content())
    assert len(links) >= 1, "no link in the message"
    return "/" + links[0].split("://", 1)[1].split("/", 1)[1]
