"""Learner pages: the landing page, the course home, module and lesson pages, media."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_login import current_user, login_required

from course.core import caching
from course.core.content import Lesson, Module
from course.core.content.published import current_course, module_review
from course.core.db import db
from course.core.i18n import LANG_PREFIX
from course.modules.learning import services

bp = Blueprint("learning", __name__, url_prefix=LANG_PREFIX, template_folder="templates")


def _module_or_404(module_id: str) -> Module:
    module = current_course().module(module_id)
    if module is None:
        abort(404)
    return module


def _lesson_or_404(module_id: str, lesson_id: str) -> Lesson:
    lesson = current_course().lesson(module_id, lesson_id)
    if lesson is None:
        abort(404)
    return lesson


@bp.get("/")
def landing():
    course = current_course()
    # The same for everyone signed out, and for everyone of a role signed in: kept.
    return caching.shared_page(
        lambda: render_template("learning/landing.html", course=course), course.edition
    )


@bp.get("/course")
@login_required
def course_home():
    course = current_course()
    return render_template(
        "learning/course_home.html",
        course=course,
        progress=services.progress(current_user.id, course),
    )


@bp.get("/learn/glossary")
def glossary():
    course = current_course()
    return caching.shared_page(
        lambda: render_template("learning/glossary.html", course=course), course.edition
    )


@bp.get("/learn/<module_id>/")
@login_required
def module_page(module_id: str):
    module = _module_or_404(module_id)
    course = current_course()
    return render_template(
        "learning/module.html",
        course=course,
        module=module,
        review=module_review(course, module),
        progress=services.progress(current_user.id, course),
    )


@bp.get("/learn/<module_id>/<lesson_id>")
@login_required
def lesson_page(module_id: str, lesson_id: str):
    lesson = _lesson_or_404(module_id, lesson_id)
    course = current_course()
    user_id = current_user.id
    opened = services.visits(user_id)
    # A reload, or a return to the lesson opened last, writes nothing.
    wrote = services.record_view(user_id, lesson, opened)
    # The one piece of progress the page shows (a view does not change it).
    read = (lesson.module_id, lesson.id) in services.read_among(opened)
    lang = g.lang
    module = course.module(module_id)
    review = module_review(course, module)

    def render() -> str:
        previous, following = course.neighbours(lesson)
        return render_template(
            "learning/lesson.html",
            course=course,
            module=module,
            review=review,
            lesson=lesson,
            previous=previous,
            following=following,
            read=read,
        )

    # A 304 when the browser has this very page: same edition and lesson text, same
    # progress, same person and CSRF token (see course.core.caching).
    response = caching.private_page(
        render,
        "lesson",
        course.edition,
        module_id,
        lesson_id,
        caching.digest(lesson.title[lang], lesson.html[lang]),
        read,
        review.parts,
    )
    if wrote:
        # After rendering: a commit expires the signed-in user, whom the page's menu reads.
        db.session.commit()
    return response


@bp.post("/learn/<module_id>/<lesson_id>/read")
@login_required
def mark_read(module_id: str, lesson_id: str):
    lesson = _lesson_or_404(module_id, lesson_id)
    services.mark_read(current_user.id, lesson)
    db.session.commit()
    _previous, following = current_course().neighbours(lesson)
    if following is not None and following.module_id == lesson.module_id:
        return redirect(
            url_for(".lesson_page", module_id=following.module_id, lesson_id=following.id)
        )
    return redirect(url_for(".module_page", module_id=lesson.module_id))


@bp.get("/media/<path:name>")
def media(name: str):
    # The published edition's images (a draft's new image is not shown to learners);
    # send_from_directory refuses paths that leave the folder.
    folder = Path(current_course().root or current_app.config["CONTENT_DIR"]) / "media"
    return send_from_directory(folder, name, max_age=7 * 24 * 3600)
