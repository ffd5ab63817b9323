"""The one place that imports gettext functions, and the `/<lang>/` URL scheme.

The URL decides the language of a page. Only `/` chooses one: the signed-in user's
saved language, then the `lang` cookie, then Accept-Language, then Kazakh.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from flask import Flask, g, request, url_for
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    get_translations,
    ngettext,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from course.core.content import LANGUAGES

DEFAULT_LANGUAGE = "kk"
LANG_PREFIX = "/<any(kk, ru):lang>"
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский"}
LANG_COOKIE = "lang"

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANG_PREFIX",
    "_",
    "_l",
    "api_language",
    "current_language",
    "format_date",
    "format_datetime",
    "format_decimal",
    "get_locale",
    "ngettext",
    "preferred_language",
]


def preferred_language(saved: str | None = None) -> str:
    """The language for a request that names none: saved, cookie, header, Kazakh."""
    if saved in LANGUAGES:
        return saved
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    # By primary subtag in the visitor's order: "kk-KZ, ru;q=0.5" means Kazakh.
    for value, _quality in request.accept_languages:
        primary = value.split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def api_language() -> str:
    """The language of an API answer (no /<lang>/ in its URL): `?lang=kk|ru`, else the
    visitor's choice as for `/`."""
    wanted = request.args.get("lang")
    return wanted if wanted in LANGUAGES else preferred_language()


def current_language() -> str:
    """The page's language: from the URL, or for URLs without one, the visitor's choice."""
    lang = g.get("lang")
    if lang:
        return lang
    prefix = request.path.split("/", 2)[1] if request else ""
    return prefix if prefix in LANGUAGES else preferred_language()


def switch_language_url(lang: str) -> str:
    """This same page in another language (with its query string)."""
    if request.endpoint and request.url_rule and "lang" in request.url_rule.arguments:
        args = dict(request.view_args or {})
        args["lang"] = lang
        url = url_for(request.endpoint, **args)
        if request.query_string:
            url += "?" + request.query_string.decode("latin-1")
        return url
    return url_for("learning.landing", lang=lang)


def _translations():
    """Flask-Babel's catalogue for the locale in force, kept for as long as that locale
    object is (force_locale puts another one in place, and back)."""
    state = g.get("_flask_babel")
    locale = getattr(state, "babel_locale", None)
    kept = g.get("_course_translations")
    if kept is not None and locale is not None and kept[0] is locale:
        return kept[1]
    found = get_translations()
    g._course_translations = (getattr(g.get("_flask_babel"), "babel_locale", None), found)
    return found


@lru_cache(maxsize=4096)
def _date_in(value: date, fmt: str, language: str, territory: str | None) -> str:
    return format_date(value, fmt)  # the locale in force is the one in the key


def _date(value, fmt: str = "long") -> str:
    """The `date` filter: a calendar date in the page's locale, formatted once per date,
    format and locale (Babel takes about 10 µs a date; a module list shows many)."""
    if type(value) is date:  # not a datetime: those depend on the time zone too
        locale = get_locale()
        if locale is not None:
            return _date_in(value, fmt, locale.language, locale.territory)
    return format_date(value, fmt)


def init_app(app: Flask) -> None:
    from course.extensions import babel

    babel.init_app(
        app,
        locale_selector=current_language,
        default_translation_directories=str(app.config["TRANSLATIONS_DIR"]),
        default_domain="messages",
    )

    @app.url_value_preprocessor
    def take_lang(endpoint, values):
        if values and "lang" in values:
            g.lang = values.pop("lang")

    @app.url_defaults
    def add_lang(endpoint, values):
        if "lang" not in values and app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = current_language()

    @app.after_request
    def remember_lang(response):
        lang = g.get("lang")
        if lang and request.cookies.get(LANG_COOKIE) != lang:
            response.set_cookie(
                LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
            )
        return response

    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        switch_language_url=switch_language_url,
        current_language=current_language,
    )
    # Templates translate through the request's catalogue, looked up once: Flask-Babel's
    # own lookup costs about 10 µs a call, and a page makes dozens of calls.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.filters.update(
        date=_date,
        datetime=lambda d, fmt="medium": format_datetime(d, fmt),
        number=format_decimal,
    )
