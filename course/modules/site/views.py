"""`/` sends the visitor to their language; `/healthz` says whether the database answers;
`/<lang>/for/…` are the audiences' short pages, plain HTML that needs no script."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from course.core import caching
from course.core.content.published import current_course
from course.core.db import db
from course.core.i18n import LANG_PREFIX, preferred_language
from course.modules.certificates import services as certificates
from course.modules.offline import services as offline
from course.modules.organisations import services as organisations

bp = Blueprint("site", __name__, template_folder="templates")


@bp.get("/")
def root():
    saved = current_user.locale if current_user.is_authenticated else None
    response = redirect(url_for("learning.landing", lang=preferred_language(saved)))
    response.headers["Vary"] = "Accept-Language, Cookie"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("health check: database unavailable")
        return jsonify({"status": "unavailable", "database": "unavailable"}), 503
    return jsonify({"status": "ok", "database": "ok", "edition": current_course().edition})


# The audiences' pages look the same to everyone of a role in a language: kept
# (caching.shared_page), per edition, and on the commission page per root key too.


@bp.get(LANG_PREFIX + "/for/learners")
def for_learners():
    course = current_course()
    return caching.shared_page(
        lambda: render_template("site/for_learners.html", course=course), course.edition
    )


@bp.get(LANG_PREFIX + "/for/organisations")
def for_organisations():
    course = current_course()
    return caching.shared_page(
        lambda: render_template(
            "site/for_organisations.html",
            course=course,
            max_bulk_rows=organisations.MAX_BULK_ROWS,
            max_api_items=organisations.MAX_API_ITEMS,
        ),
        course.edition,
    )


@bp.get(LANG_PREFIX + "/for/commissions")
def for_commissions():
    course = current_course()
    fingerprint = certificates.root_fingerprint()
    return caching.shared_page(
        lambda: render_template(
            "site/for_commissions.html",
            course=course,
            root_fingerprint=fingerprint,
            fresh_days=offline.FRESH_DAYS,
            election_day_hours=offline.ELECTION_DAY_HOURS,
        ),
        course.edition,
        fingerprint,
    )
