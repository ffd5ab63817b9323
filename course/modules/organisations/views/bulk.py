"""Verifying many certificates at once: pasted or uploaded codes, a streamed page or a CSV."""

from __future__ import annotations

from flask import (
    Response,
    current_app,
    flash,
    g,
    redirect,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required

from course.core import spreadsheets
from course.core.content.published import current_course
from course.core.db import db
from course.core.i18n import _
from course.modules.organisations import services
from course.modules.organisations.views.blueprint import bp, display_code, staff_or_403


def _bulk_items():
    upload = request.files.get("file")
    text = spreadsheets.uploaded_text(upload.read()) if upload and upload.filename else ""
    text = text or request.form.get("codes", "")
    items, unreadable = services.parse_bulk(text)
    return items, unreadable


@bp.post("/organisation/verify")
@login_required
def bulk_verify():
    organisation, _membership = staff_or_403()
    items, unreadable = _bulk_items()
    if not items and not unreadable:
        flash(_("Paste codes or choose a CSV file."), "error")
        return redirect(url_for(".dashboard")), 303
    if len(items) + len(unreadable) > services.MAX_BULK_ROWS:
        flash(_("At most %(num)s rows at a time.", num=services.MAX_BULK_ROWS), "error")
        return redirect(url_for(".dashboard")), 303
    course = current_course()
    if request.form.get("format") == "csv":
        results = services.verify_items(
            organisation, items, course, "bulk", user_id=current_user.id
        )
        db.session.commit()
        return _results_csv(results, unreadable)
    return Response(
        stream_with_context(_stream_results(organisation, items, unreadable, course)),
        mimetype="text/html",
    )


def _stream_results(organisation, items, unreadable, course):
    """The page in pieces: a progress line per thousand rows, then the table."""
    page = current_app.jinja_env.get_template("organisations/bulk.html").module
    yield page.head(g.lang, len(items), unreadable)
    results = []
    for start in range(0, len(items), 1000):
        chunk = items[start : start + 1000]
        results.extend(
            services.verify_items(organisation, chunk, course, "bulk", user_id=current_user.id)
        )
        db.session.commit()
        yield page.progress(len(results), len(items))
    yield page.table(results, g.lang)


def _results_csv(results, unreadable):
    header = ["row", "code", "status", "holder", "edition", "completed_on", "identity"]
    rows = [
        [
            r.row,
            display_code(r.code) or r.typed,
            r.status,
            r.holder or "",
            r.edition or "",
            r.completed_on or "",
            r.identity or "",
        ]
        for r in results
    ]
    rows += [[row, "", "row_unreadable", "", "", "", ""] for row in unreadable]
    return spreadsheets.csv_response("verification.csv", header, rows)
