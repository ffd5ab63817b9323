"""Offline pages: the certificate verifier app (/<lang>/check), the pocket reference
(/<lang>/pocket and its A6 PDF), the offline fallback page, and the service worker."""

from __future__ import annotations

from babel.dates import get_date_format, get_month_names
from flask import Blueprint, Response, abort, current_app, render_template, url_for

from course.core.content.published import current_course
from course.core.i18n import LANG_PREFIX, _, current_language
from course.modules.certificates import services as certificates
from course.modules.offline import services

bp = Blueprint("offline", __name__, url_prefix=LANG_PREFIX, template_folder="templates")
# What has no language: the service worker, and the verifier's scripts (ES modules that
# import each other by relative URL), served from this area's static/ folder.
worker = Blueprint(
    services.VERIFIER_BLUEPRINT,
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/offline/static",
)


def _fresh(response: Response) -> Response:
    # The service worker keeps its own copy; the HTTP cache must not serve an old shell.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/check")
def check():
    course = current_course()
    lang = current_language()
    config = {
        "lang": lang,
        "rootKey": certificates.root_key(),
        "keysUrl": url_for("certificates_public.published_keys"),
        "statusUrl": url_for("certificates_public.status_list"),
        "apiUrl": url_for("certificates_public.api_certificate", typed="CODE"),
        "freshDays": services.FRESH_DAYS,
        "electionDays": services.election_days(),
        "electionDayHours": services.ELECTION_DAY_HOURS,
        "courseTitle": course.title[lang],
        "dateFormat": {
            "pattern": get_date_format("long", locale=lang).pattern,
            "months": list(get_month_names("wide", context="format", locale=lang).values()),
        },
    }
    page = render_template(
        "offline/check.html",
        config=config,
        course=course,
        root_fingerprint=certificates.root_fingerprint(),
    )
    return _fresh(Response(page))


@bp.get("/check/manifest.webmanifest")
def manifest():
    lang = current_language()
    document = {
        "name": _("Certificate check"),
        "short_name": _("Check"),
        "description": _(
            "Checks observer training certificates on the spot, also without a network."
        ),
        "lang": lang,
        "start_url": url_for(".check"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5cad",
        "icons": [
            {
                "src": url_for("static", filename=f"icons/verifier-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any",
            }
            for size in (192, 512)
        ],
    }
    response = current_app.response_class(
        current_app.json.dumps(document), mimetype="application/manifest+json"
    )
    return _fresh(response)


@bp.get("/pocket")
def pocket():
    course = current_course()
    if course.pocket is None:
        abort(404)
    page = render_template(
        "offline/pocket.html",
        course=course,
        edition_line=services.edition_line(course, current_language()),
    )
    return _fresh(Response(page))


@bp.get("/pocket.pdf")
def pocket_pdf():
    course = current_course()
    if course.pocket is None:
        abort(404)
    lang = current_language()
    response = Response(services.pocket_pdf(course, lang), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="pocket-reference-{lang}-edition-{course.edition}.pdf"'
    )
    return response


@bp.get("/offline")
def offline_page():
    return _fresh(Response(render_template("offline/offline.html")))


@worker.get("/sw.js")
def service_worker():
    course = current_course()
    script = render_template(
        "offline/sw.js",
        edition=course.edition,
        version=f"{course.edition}-{services.static_version()}",
        precache=services.precache_urls(("kk", "ru"), course),
        static_prefixes=services.static_prefixes(),
        online_only=services.online_only_prefixes(("kk", "ru")),
    )
    response = Response(script, mimetype="text/javascript")
    return _fresh(response)
