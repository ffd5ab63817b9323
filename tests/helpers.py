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
