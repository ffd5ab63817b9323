"""`/` sends the visitor to their language; `/healthz` says whether the database answers."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from course.core.content.published import current_course
from course.core.db import db
from course.core.i18n import preferred_language

bp = Blueprint("site", __name__)


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
