"""Languages in pages: what a page should show for a message, and which language it is in."""

from __future__ import annotations

import re

from flask_babel import force_locale, gettext


def t(app, lang: str, msgid: str, **variables) -> str:
    """What the page should show for msgid in lang; fails if it is left in English."""
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        text = gettext(msgid, **variables)
    assert text != msgid % variables if variables else text != msgid, (
        f"{msgid!r} is not translated into {lang}"
    )
    return text


def html_lang(html: str) -> str:
    """The page's <html lang>; fails if it has none."""
    match = re.search(r'<html lang="([a-z]+)"', html)
    assert match
    return match.group(1)
