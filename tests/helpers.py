"""Small helpers for view tests: the translation of an interface string in a language."""

from __future__ import annotations

from flask_babel import force_locale, gettext


def t(app, lang: str, msgid: str, **variables) -> str:
    """What the page should show for msgid in lang; fails if it is left in English."""
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        text = gettext(msgid, **variables)
    assert text != msgid % variables if variables else text != msgid, (
        f"{msgid!r} is not translated into {lang}"
    )
    return text


def outbox(app) -> list:
    """The messages in the app's outbox, oldest first, once the mail thread is done."""
    import email
    import email.policy
    from pathlib import Path

    from course.core.mail import wait_for_mail

    wait_for_mail()
    folder = Path(app.config["MAIL_OUTBOX"])
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted(folder.glob("*.eml"))
    ]


def link_path(message) -> str:
    """The path of the one http(s) link in a message's body."""
    import re

    links = re.findall(r"https?://\S+", message.get_content())
    assert len(links) >= 1, "no link in the message"
    return "/" + links[0].split("://", 1)[1].split("/", 1)[1]
