"""Refresher pages: what is due and why, the changed lessons to reread, the test's start."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from course.core.db import db
from course.core.i18n import LANG_PREFIX, _, format_datetime
from course.modules.quizzes import services as quizzes
from course.modules.refreshers import services

bp = Blueprint("refreshers", __name__, url_prefix=LANG_PREFIX, template_folder="templates")


@bp.get("/refresher")
@login_required
def overview():
    refresher = services.due(current_user.id)
    return render_template("refreshers/overview.html", refresher=refresher)


def _due_lesson_or_404(module_id: str, lesson_id: str):
    refresher = services.due(current_user.id)
    lesson = refresher.lesson(module_id, lesson_id) if refresher else None
    if lesson is None:
        abort(404)  # not a lesson of this person's refresher (or none is due)
    return refresher, lesson


@bp.get("/refresher/<module_id>/<lesson_id>")
@login_required
def lesson_page(module_id: str, lesson_id: str):
    refresher, lesson = _due_lesson_or_404(module_id, lesson_id)
    return render_template(
        "refreshers/lesson.html",
        refresher=refresher,
        module=refresher.course.module(module_id),
        lesson=lesson,
        read=(lesson.module_id, lesson.id) in refresher.read,
    )


@bp.post("/refresher/<module_id>/<lesson_id>/read")
@login_required
def mark_read(module_id: str, lesson_id: str):
    refresher, lesson = _due_lesson_or_404(module_id, lesson_id)
    services.mark_read(refresher, lesson)
    db.session.commit()
    following = refresher.next_lesson(lesson)
    if following is None:
        return redirect(url_for(".overview"), 303)
    return redirect(
        url_for(".lesson_page", module_id=following.module_id, lesson_id=following.id), 303
    )


@bp.post("/refresher/start")
@login_required
def start_test():
    refresher = services.due(current_user.id)
    if refresher is None:
        flash(
            _("No refresher is due for you: your certificate is of the current edition."), "error"
        )
        return redirect(url_for(".overview"), 303)
    try:
        attempt = services.start_test(refresher)
    except services.NotReady:
        flash(_("Reread every lesson of the refresher first; then the test opens."), "error")
        return redirect(url_for(".overview"), 303)
    except quizzes.NotAvailable as blocked:
        db.session.commit()  # an expired attempt may have been graded on the way
        if blocked.reason == "wait":
            message = _(
                "You can try again from %(time)s. Use the time to reread the lessons.",
                time=format_datetime(blocked.until, "short"),
            )
        else:
            message = _("You have passed this already.")
        flash(message, "error")
        return redirect(url_for(".overview"), 303)
    db.session.commit()
    return redirect(url_for("quizzes.attempt_page", public_id=attempt.public_id), 303)
