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
from course.modules.campaigns import services as campaigns
from course.modules.offline import pdf

STATIC = Path(__file__).resolve().parents[2] / "static"  # the app's static folder
# This area's static folder: the verifier's ES modules and their vendored fallback library,
# served by the offline_worker blueprint at /offline/static/.
VERIFIER_STATIC = Path(__file__).resolve().parent / "static"
VERIFIER_BLUEPRINT = "offline_worker"
VERIFIER_ENDPOINT = f"{VERIFIER_BLUEPRINT}.static"
# The installed app's files from the app's static folder (relative to it).
SHELL_STATIC = (
    "course.css",
    "offline.js",
    "icons/verifier-192.png",
    "icons/verifier-512.png",
)
# Every script of the verifier, found rather than listed: a module left out of the cache
# would make the whole page fail to load offline, since its imports would not resolve.
VERIFIER_FILES = tuple(
    sorted(path.relative_to(VERIFIER_STATIC).as_posix() for path in VERIFIER_STATIC.rglob("*.js"))
)
FRESH_DAYS = 7
ELECTION_DAY_HOURS = 24


def election_days() -> list[str]:
    """Days (YYYY-MM-DD, Kazakhstan's date) on which data older than 24 hours is amber:
    the recorded elections' and COURSE_ELECTION_DAYS (checked when the app starts)."""
    return campaigns.configured_election_days()


def _shell_files() -> list[Path]:
    return [STATIC / name for name in SHELL_STATIC] + [VERIFIER_STATIC / n for n in VERIFIER_FILES]


@lru_cache(maxsize=8)
def _static_version(mtimes: tuple) -> str:
    digest = hashlib.sha256()
    for path in _shell_files():
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def static_version() -> str:
    """Changes whenever a cached file changes, so browsers install the new service worker."""
    return _static_version(tuple(path.stat().st_mtime_ns for path in _shell_files()))


def precache_urls(langs: tuple[str, ...], course: Course) -> list[str]:
    pages = []
    for lang in langs:
        # The commission members' page too: how to check, and the root fingerprint to
        # compare, at a polling station with no network.
        pages += [url_for("offline.check", lang=lang), url_for("site.for_commissions", lang=lang)]
        # cache.addAll fails as a whole on one 404: a course without a pocket reference
        # must not leave the verifier uninstalled.
        if course.pocket is not None:
            pages.append(url_for("offline.pocket", lang=lang))
        pages += [
            url_for("offline.offline_page", lang=lang),
            url_for("offline.manifest", lang=lang),
        ]
    # By their plain names (v=None: no content hash, see course.core.caching): the
    # worker keeps each file under its name and answers any version of it from there,
    # and the verifier's modules import each other by plain relative names anyway.
    assets = [url_for("static", filename=name, v=None) for name in SHELL_STATIC]
    assets += [url_for(VERIFIER_ENDPOINT, filename=name, v=None) for name in VERIFIER_FILES]
    return pages + assets


def static_prefixes() -> list[str]:
    """Where the installed app's files are served: the worker answers them from its cache."""
    worker = current_app.blueprints[VERIFIER_BLUEPRINT]
    return [f"{current_app.static_url_path}/", f"{worker.static_url_path}/"]


# A stand-in for a URL variable, cut off to leave the fixed part of the path before it.
_HERE = "__here__"


def _prefix(endpoint: str, lang: str, variable: str) -> str:
    url = url_for(endpoint, lang=lang, **{variable: _HERE})
    return url[: url.index(_HERE)]


def online_only_prefixes(langs: tuple[str, ...]) -> list[str]:
    """Paths of pages that need the server: quizzes, the final exam and their attempts.

    Answers are checked on the server and the answer key never leaves it, so these are
    never cached; opened with no network, the worker shows the offline page instead.
    """
    prefixes = []
    for lang in langs:
        prefixes += [
            _prefix("quizzes.quiz_page", lang, "module_id"),
            url_for("quizzes.final_exam_page", lang=lang),
            _prefix("quizzes.attempt_page", lang, "public_id"),
        ]
    return prefixes


def law_date(course: Course) -> date:
    return course.law_as_of


def edition_line(course: Course, lang: str, *, with_review: bool = True) -> str:
    """The line under the pocket reference's title, on the page and in the booklet
    (without the review date: the booklet's page footer, which has room for less)."""
    line = _(
        "Edition %(edition)s · the law as of %(date)s",
        edition=course.edition,
        date=format_date(law_date(course), "long"),
    )
    reviewed = course.last_reviewed
    if not with_review:
        return line
    if reviewed is None:
        return f"{line} · {_('no review by the trainers recorded')}"
    return f"{line} · " + _(
        "last reviewed by the trainers on %(date)s", date=format_date(reviewed, "long")
    )


def pocket_pdf(course: Course, lang: str) -> bytes:
    """The A6 booklet of this edition's pocket reference, made once per edition, language
    and app (kept with the app, so two apps in one process never share a booklet)."""
    booklets: dict = current_app.extensions.setdefault("offline.booklets", {})
    key = (course.edition, lang)
    if key not in booklets:
        if len(booklets) > 16:  # editions come and go; keep the newest few
            booklets.clear()
        booklets[key] = pdf.render(_booklet(course, lang))
    return booklets[key]


def _booklet(course: Course, lang: str) -> pdf.Booklet:
    return pdf.Booklet(
        lang=lang,
        course_title=course.title[lang],
        title=course.pocket.title[lang],
        edition_line=edition_line(course, lang),
        page_line=edition_line(course, lang, with_review=False),
        sections=course.pocket.sections(lang),
        footer=_(
            "Training material, not legal advice. Check the law in force before you act on it."
        ),
    )
