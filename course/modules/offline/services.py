"""What the offline pages need: the verifier's settings and files, the pocket booklet.

The service worker caches exactly the files listed here, so the size of the installed
verifier is the sum of these files (measured by a test and by bench/offline_size.py).
"""

from __future__ import annotations

import hashlib
from datetime import date
from functools import lru_cache
from pathlib import Path

from flask import current_app, url_for

from course.core.content import Course
from course.core.i18n import _, format_date
from course.modules.offline import pdf

STATIC = Path(__file__).resolve().parents[2] / "static"
# Files of the installed app, relative to static/: the verifier and its fallback library.
SHELL_STATIC = (
    "course.css",
    "check.js",
    "offline.js",
    "vendor/noble-ed25519.js",
    "icons/verifier-192.png",
    "icons/verifier-512.png",
)
FRESH_DAYS = 7
ELECTION_DAY_HOURS = 24


def election_days() -> list[str]:
    """Days (YYYY-MM-DD, Kazakhstan's date) on which data older than 24 hours is amber."""
    days = []
    for part in str(current_app.config.get("COURSE_ELECTION_DAYS", "")).split(","):
        part = part.strip()
        if part:  # checked when the app starts (offline/__init__.py)
            days.append(part)
    return days


@lru_cache(maxsize=8)
def _static_version(mtimes: tuple) -> str:
    digest = hashlib.sha256()
    for name in SHELL_STATIC:
        digest.update((STATIC / name).read_bytes())
    return digest.hexdigest()[:12]


def static_version() -> str:
    """Changes whenever a cached file changes, so browsers install the new service worker."""
    return _static_version(tuple((STATIC / n).stat().st_mtime_ns for n in SHELL_STATIC))


def precache_urls(langs: tuple[str, ...], course: Course) -> list[str]:
    pages = []
    for lang in langs:
        pages += [url_for("offline.check", lang=lang)]
        # cache.addAll fails as a whole on one 404: a course without a pocket reference
        # must not leave the verifier uninstalled.
        if course.pocket is not None:
            pages.append(url_for("offline.pocket", lang=lang))
        pages += [
            url_for("offline.offline_page", lang=lang),
            url_for("offline.manifest", lang=lang),
        ]
    assets = [url_for("static", filename=name) for name in SHELL_STATIC]
    return pages + assets


def law_date(course: Course) -> date:
    return course.law_as_of


def edition_line(course: Course, lang: str) -> str:
    return _(
        "Edition %(edition)s · the law as of %(date)s",
        edition=course.edition,
        date=format_date(law_date(course), "long"),
    )


_BOOKLETS: dict[tuple[str, int, str], bytes] = {}


def pocket_pdf(course: Course, lang: str) -> bytes:
    """The A6 booklet of this edition's pocket reference, made once per edition and language."""
    key = (str(course.root), course.edition, lang)
    if key not in _BOOKLETS:
        if len(_BOOKLETS) > 16:
            _BOOKLETS.clear()
        _BOOKLETS[key] = pdf.render(_booklet(course, lang))
    return _BOOKLETS[key]


def _booklet(course: Course, lang: str) -> pdf.Booklet:
    return pdf.Booklet(
        lang=lang,
        course_title=course.title[lang],
        title=course.pocket.title[lang],
        edition_line=edition_line(course, lang),
        sections=course.pocket.sections(lang),
        footer=_(
            "Training material, not legal advice. Check the law in force before you act on it."
        ),
    )
