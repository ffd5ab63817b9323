"""Quiz pages: a module's quiz, the final exam, an attempt, its result; trainers' statistics."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from course.core.access import role_required
from course.core.content.published import course_edition, current_course
from course.core.db import db, utcnow
from course.core.i18n import LANG_PREFIX, LANGUAGES, _, format_datetime
from course.core.links import same_site_referrer
from course.modules.quizzes import services
from course.modules.quizzes.answers import AnswerError, parse_answers

bp = Blueprint("quizzes", __name__, url_prefix=LANG_PREFIX, template_folder="templates")

ACTIONS = ("save", "switch", "submit")


def _info_or_404(kind: str, module_id: str | None = None) -> services.QuizInfo:
    info = services.quiz_info(current_course(), kind, module_id)
    if info is None:
        abort(404)
    return info


def _quiz_page(info: services.QuizInfo):
    course = current_course()
    state = services.quiz_state(current_user.id, course, info)
    module = course.module(info.module_id) if info.module_id else None
    page = render_template("quizzes/quiz.html", course=course, state=state, module=module)
    if state.graded_now:
        # Expired attempts graded on the way; after rendering, since a commit expires what
        # the page reads (the signed-in user, the attempts).
        db.session.commit()
    return page


@bp.get("/quiz/<module_id>/")
@login_required
def quiz_page(module_id: str):
    return _quiz_page(_info_or_404(services.MODULE, module_id))


@bp.get("/final-exam/")
@login_required
def final_exam_page():
    return _quiz_page(_info_or_404(services.FINAL))


def _start(info: services.QuizInfo):
    try:
        attempt = services.start_attempt(current_user.id, current_course(), info)
    except services.NotAvailable as blocked:
        db.session.commit()
        flash(_blocked_message(blocked), "error")
        # Back to the page the learner came from, if it is one of ours.
        back = same_site_referrer(request.referrer, request.host)
        return redirect(back or url_for("learning.course_home"), 303)
    db.session.commit()
    return redirect(url_for(".attempt_page", public_id=attempt.public_id), 303)


@bp.post("/quiz/<module_id>/start")
@login_required
def start_quiz(module_id: str):
    return _start(_info_or_404(services.MODULE, module_id))


@bp.post("/final-exam/start")
@login_required
def start_final_exam():
    return _start(_info_or_404(services.FINAL))


def _blocked_message(blocked: services.NotAvailable) -> str:
    if blocked.reason == "lessons":
        return _("Read every lesson of the module first; then the quiz opens.")
    if blocked.reason == "modules":
        return _("Complete every module first; then the final exam opens.")
    if blocked.reason == "passed":
        return _("You have passed this already.")
    return _(
        "You can try again from %(time)s. Use the time to reread the lessons.",
        time=format_datetime(blocked.until, "short"),
    )


def _attempt_or_none(public_id: str):
    if len(public_id) != 32:
        return None
    try:
        return services.get_attempt(public_id, current_user.id)
    except services.AttemptNotFound:
        return None


def _render_attempt(attempt, answers: dict, status: int = 200, error: str | None = None):
    course = course_edition(attempt.edition)
    drawn = services.drawn_questions(attempt, course, current_app.config["SECRET_KEY"])
    remaining = max(0, int((attempt.expires_at - utcnow()).total_seconds() // 60))
    return (
        render_template(
            "quizzes/attempt.html",
            course=course,
            attempt=attempt,
            drawn=drawn,
            answers=answers,
            error=error,
            minutes_left=remaining,
            other_lang=next(lang for lang in LANGUAGES if lang != g.lang),
        ),
        status,
    )


@bp.get("/attempts/<public_id>")
@login_required
def attempt_page(public_id: str):
    attempt = _attempt_or_none(public_id)
    if attempt is None:
        abort(404)
    if services.close_if_expired(attempt, course_edition(attempt.edition), utcnow()):
        db.session.commit()
    if attempt.status != "open":
        return redirect(url_for(".attempt_result", public_id=attempt.public_id))
    saved = {aq.question_id: aq.chosen for aq in attempt.questions if aq.chosen}
    return _render_attempt(attempt, saved)


def _error_message(error: AnswerError) -> str:
    numbers = ", ".join(str(n) for n in error.positions)
    if error.code == "missing":
        return _(
            "Answer every question before you submit. Not answered: %(numbers)s.", numbers=numbers
        )
    if error.code == "ordering":
        return _(
            "In question %(numbers)s, give each item its own place, from 1 to the number of items.",
            numbers=numbers,
        )
    return _("The answers sent do not belong to this attempt. Reload the page and answer again.")


@bp.post("/attempts/<public_id>")
@login_required
def attempt_post(public_id: str):
    # Checked before the body is read: a quiz form is small, a huge body is not an answer.
    if (request.content_length or 0) > current_app.config["QUIZ_MAX_FORM_BYTES"]:
        return _refused(_("What you sent is too large to be a quiz answer."))
    attempt = _attempt_or_none(public_id)
    if attempt is None:
        # 404, as for any other person's object: whether the id exists is not told.
        return _refused(
            _("There is no such attempt of yours. Start the quiz again from its page."), status=404
        )
    actions = request.form.getlist("action")
    if len(actions) != 1 or actions[0] not in ACTIONS:
        return _refused(_("The form was not sent by one of its buttons. Reload the page."))
    action = actions[0]
    # An attempt is answered and graded on the edition it started on, even if a newer
    # one was published in the meantime.
    course = course_edition(attempt.edition)
    now = utcnow()
    try:
        services.ensure_open(attempt, now)
        answers = parse_answers(
            request.form.items(multi=True),
            services.drawn_questions(attempt, course, current_app.config["SECRET_KEY"]),
            require_all=action == "submit",
        )
        if action == "submit":
            services.submit(attempt, answers, g.lang, course, now)
        else:
            services.save_answers(attempt, answers, g.lang, now)
    except AnswerError as error:
        db.session.rollback()
        kept = _answers_as_sent(attempt, course)
        return _render_attempt(attempt, kept, 400, _error_message(error))
    except services.AttemptClosed as closed:
        db.session.rollback()
        if closed.status == "expired":
            message = _("The time for this attempt has run out; answers sent now are not counted.")
        else:
            message = _("This attempt has been submitted already; it cannot be changed.")
        return _refused(message, url_for(".attempt_result", public_id=attempt.public_id))
    db.session.commit()
    # `public_id` is the attempt's (it was found by it): reading attempt.public_id after
    # the commit would load the attempt and its questions again just for the redirect.
    if action == "submit":
        return redirect(url_for(".attempt_result", public_id=public_id), 303)
    if action == "switch":
        other = next(lang for lang in LANGUAGES if lang != g.lang)
        return redirect(url_for(".attempt_page", public_id=public_id, lang=other), 303)
    flash(_("Your answers are saved."), "success")
    return redirect(url_for(".attempt_page", public_id=public_id), 303)


def _refused(message: str, next_url: str | None = None, status: int = 400):
    """A refused submission: a 4xx page that says why; nothing was stored."""
    page = render_template(
        "quizzes/refused.html", title=_("Not accepted"), message=message, next_url=next_url
    )
    return page, status


def _answers_as_sent(attempt, course) -> dict:
    """What the learner chose in a refused form, so the page shows it again (nothing stored)."""
    try:
        return parse_answers(
            request.form.items(multi=True),
            services.drawn_questions(attempt, course, current_app.config["SECRET_KEY"]),
            require_all=False,
        )
    except AnswerError:
        return {}


@bp.get("/attempts/<public_id>/result")
@login_required
def attempt_result(public_id: str):
    attempt = _attempt_or_none(public_id)
    if attempt is None:
        abort(404)
    course = course_edition(attempt.edition)
    graded_now = services.close_if_expired(attempt, course, utcnow())
    if attempt.status == "open":
        return redirect(url_for(".attempt_page", public_id=attempt.public_id))
    current = current_course()
    info = services.quiz_info(current, attempt.kind, attempt.module_id)
    state = services.quiz_state(current_user.id, current, info) if info else None
    page = render_template(
        "quizzes/result.html",
        course=course,
        attempt=attempt,
        state=state,
        breakdown=services.module_breakdown(attempt, course),
        completion=services.completion(current_user.id, attempt.edition),
    )
    if graded_now or (state is not None and state.graded_now):
        db.session.commit()  # after rendering: a commit expires what the page reads
    return page


@bp.get("/trainer/questions")
@role_required("trainer")
def question_statistics():
    course = current_course()
    stats = sorted(services.item_statistics(), key=lambda s: (s.quiz_id, s.question_id))
    return render_template("quizzes/statistics.html", course=course, stats=stats)
