"""The trainer area: modules and their state, the side-by-side lesson editor, the quiz
editor, translation status, history and restore, and publishing an edition.

Every URL names content by ids, which are looked up in the draft's structure; a path on
disk is never built from anything a user typed.
"""

from __future__ import annotations

import difflib

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user

from course.core.access import role_required
from course.core.content import LANGUAGES, markdown
from course.core.content.editions import EditionExists, today_in
from course.core.content.published import editions
from course.core.db import db
from course.core.i18n import LANG_PREFIX, _, current_language
from course.modules.authoring import services
from course.modules.authoring import units as u
from course.modules.authoring.forms import (
    ButtonForm,
    ImageForm,
    LessonMetaForm,
    ModuleMetaForm,
    PublishForm,
)
from course.modules.authoring.models import NEUTRAL

bp = Blueprint(
    "authoring", __name__, url_prefix=LANG_PREFIX + "/trainer", template_folder="templates"
)
MAX_TEXT = 60_000  # characters in one unit: several times the longest lesson


@bp.before_request
@role_required("trainer")
def _trainers_only():
    """Every page here is for trainers and admins (role_required lets admins in)."""
    if request.endpoint == "authoring.lesson_image":
        # Checked only after the role: nobody else may send a body this large.
        request.max_content_length = current_app.config["AUTHORING_MAX_IMAGE_BYTES"] + 64 * 1024


def request_author() -> services.Author:
    return services.Author(current_user.id, current_user.full_name)


def sent_bases() -> dict[tuple[str, str], str]:
    """The fingerprints the editor started from, as sent back by the form."""
    found = {}
    for name, value in request.form.items():
        if name.startswith("base:"):
            key, _, lang = name[5:].rpartition(":")
            found[(key, lang)] = value
    return found


def sent_text(key: str, lang: str) -> str | None:
    value = request.form.get(f"text:{key}:{lang}")
    if value is not None and len(value) > MAX_TEXT:
        abort(400, description=_("A text is too long to be saved."))
    return value


def _edits(page_units: list[u.Unit], bases: dict) -> list[services.Edit]:
    edits = []
    for unit in page_units:
        for lang in LANGUAGES:
            text = sent_text(unit.key, lang)
            if text is not None:
                edits.append(services.Edit(unit.key, lang, text, bases.get((unit.key, lang), "")))
    return edits


def _conflict_message() -> str:
    return _(
        "Someone else saved a change to this text after you opened it. Your text is kept "
        "below: compare it with the saved one, merge, and save again."
    )


def diff_lines(before: str | None, after: str | None) -> list[tuple[str, str]]:
    """A line diff as (kind, line) pairs: kind is "+", "-", " " or "@"."""
    lines = difflib.unified_diff(
        (before or "").splitlines(), (after or "").splitlines(), lineterm="", n=2
    )
    result = []
    for line in list(lines)[2:]:
        kind = line[:1] if line[:1] in "+- @" else " "
        result.append((kind, line[1:] if kind != "@" else line))
    return result


@bp.app_template_global()
def authoring_diff(before, after):
    return diff_lines(before, after)


@bp.app_template_global()
def fingerprint(text) -> str:
    return u.fingerprint(text)


@bp.app_template_global()
def module_title(module_id: str) -> str:
    """A module's draft title in the page's language (its id while it has none)."""
    d = services.draft()
    if d.module(module_id) is None:
        return module_id
    data = u.load_yaml(d.read(f"{current_language()}/{module_id}/module.yaml"))
    title = data.get("title") if isinstance(data, dict) else None
    return title if isinstance(title, str) and title.strip() else module_id


def _save_page(d: u.Draft, page: str, neutral=(), bases=None) -> services.Conflict | None:
    """Save the texts (and language-neutral values) of an editor page and commit; on a
    conflict, change nothing and return it for the page to show."""
    bases = sent_bases() if bases is None else bases
    try:
        services.save(
            d, request_author(), _edits(d.texts_of_page(page), bases), list(neutral), page=page
        )
    except services.Conflict as e:
        db.session.rollback()
        return e
    db.session.commit()
    flash(_("The draft is saved. Learners see it after the next edition."), "success")
    return None


# ---------------------------------------------------------------- overview


@bp.get("/")
def overview():
    d = services.draft()
    return render_template(
        "authoring/overview.html",
        modules=services.modules_overview(d),
        records=editions().records(),
        question_sets=d.question_sets(),
    )


@bp.get("/translation")
def translation():
    d = services.draft()
    gaps = services.translation_gaps(d)
    by_module: dict[str | None, list[services.Gap]] = {}
    for gap in gaps:
        by_module.setdefault(gap.unit.module_id, []).append(gap)
    urls = {page: _page_url(d, page) for page in {gap.unit.page for gap in gaps}}
    return render_template(
        "authoring/translation.html", draft=d, by_module=by_module, total=len(gaps), urls=urls
    )


# ---------------------------------------------------------------- modules


def _module_or_404(d: u.Draft, module_id: str) -> u.DraftModule:
    module = d.module(module_id)
    if module is None:
        abort(404)
    return module


@bp.route("/modules/<module_id>", methods=["GET", "POST"])
def module_page(module_id: str):
    d = services.draft()
    module = _module_or_404(d, module_id)
    page = f"module:{module_id}"
    form = ModuleMetaForm(
        data={"status_as_of": module.status_as_of} if request.method == "GET" else None
    )
    conflict, status = None, 200
    if request.method == "POST":
        if not form.validate():
            status = 400
        else:
            bases = sent_bases()
            neutral = services.NeutralEdit(
                f"{page}:status_as_of",
                form.status_as_of.data.isoformat(),
                bases.get((f"{page}:status_as_of", NEUTRAL), ""),
            )
            conflict = _save_page(d, page, [neutral], bases)
            if conflict is None:
                return redirect(url_for(".module_page", module_id=module_id), 303)
            status = 409
    return _module_render(d, module, form, conflict, status)


def _module_render(d, module, form, conflict, status):
    page = f"module:{module.id}"
    page_units = d.texts_of_page(page)
    lesson_states = {}
    all_states = services.states(
        [x for lesson in module.lessons for x in d.texts_of_page(f"lesson:{module.id}/{lesson}")]
        + page_units
    )
    for lesson in module.lessons:
        keys = [x.key for x in d.texts_of_page(f"lesson:{module.id}/{lesson}")]
        lesson_states[lesson] = {
            lang: sorted({all_states[(k, lang)] for k in keys}) for lang in LANGUAGES
        }
    return (
        render_template(
            "authoring/module.html",
            draft=d,
            module=module,
            form=form,
            units=page_units,
            states=all_states,
            lesson_states=lesson_states,
            conflict=conflict,
            neutral_base=services.current_fingerprint(d, f"{page}:status_as_of", NEUTRAL),
            sent=request.form if conflict else None,
        ),
        status,
    )


@bp.route("/texts/<any(course, glossary, pocket):page>", methods=["GET", "POST"])
def texts_page(page: str):
    """Course-wide texts: the course title and description, the glossary, the pocket reference."""
    d = services.draft()
    conflict, status = None, 200
    if request.method == "POST":
        if not ButtonForm().validate():
            abort(400)
        conflict = _save_page(d, page)
        if conflict is None:
            return redirect(url_for(".texts_page", page=page), 303)
        status = 409
    page_units = d.texts_of_page(page)
    return (
        render_template(
            "authoring/texts.html",
            page=page,
            units=page_units,
            states=services.states(page_units),
            conflict=conflict,
            sent=request.form if conflict else None,
            button=ButtonForm(),
        ),
        status,
    )


# ---------------------------------------------------------------- lessons


def _lesson_or_404(d: u.Draft, module_id: str, lesson_id: str) -> u.DraftModule:
    module = _module_or_404(d, module_id)
    if lesson_id not in module.lessons:
        abort(404)
    return module


@bp.route("/edit/<module_id>/<lesson_id>", methods=["GET", "POST"])
def lesson_page(module_id: str, lesson_id: str):
    d = services.draft()
    module = _lesson_or_404(d, module_id, lesson_id)
    page = f"lesson:{module_id}/{lesson_id}"
    meta = u.load_yaml(services.neutral_value(d, f"{page}:meta") or "") or {}
    form = LessonMetaForm(data=meta if request.method == "GET" else None)
    conflict, status, preview = None, 200, None
    if request.method == "POST":
        action = request.form.get("action")
        if action not in ("preview", "save"):
            abort(400, description=_("The form was not sent by one of its buttons."))
        if not form.validate():
            status = 400
        elif action == "preview":
            preview = {
                lang: markdown.render(sent_text(f"{page}:body", lang) or "").html
                for lang in LANGUAGES
            }
        else:
            bases = sent_bases()
            value = u.dump_yaml(
                {"minutes": form.minutes.data, "status_as_of": form.status_as_of.data}
            )
            neutral = services.NeutralEdit(
                f"{page}:meta", value, bases.get((f"{page}:meta", NEUTRAL), "")
            )
            conflict = _save_page(d, page, [neutral], bases)
            if conflict is None:
                return redirect(
                    url_for(".lesson_page", module_id=module_id, lesson_id=lesson_id), 303
                )
            status = 409
    return _lesson_render(d, module, lesson_id, form, conflict, status, preview)


def _lesson_render(d, module, lesson_id, form, conflict, status, preview=None, image_form=None):
    page = f"lesson:{module.id}/{lesson_id}"
    page_units = d.texts_of_page(page)
    if preview is None:
        preview = {
            lang: markdown.render(d.units[f"{page}:body"].text[lang]).html for lang in LANGUAGES
        }
    return (
        render_template(
            "authoring/lesson.html",
            module=module,
            lesson_id=lesson_id,
            page=page,
            form=form,
            image_form=image_form or ImageForm(),
            units=page_units,
            states=services.states(page_units),
            preview=preview,
            conflict=conflict,
            sent=request.form if request.method == "POST" else None,
            neutral_base=services.current_fingerprint(d, f"{page}:meta", NEUTRAL),
            button=ButtonForm(),
        ),
        status,
    )


@bp.post("/edit/<module_id>/<lesson_id>/image")
def lesson_image(module_id: str, lesson_id: str):
    d = services.draft()
    module = _lesson_or_404(d, module_id, lesson_id)
    page = f"lesson:{module_id}/{lesson_id}"
    form = ImageForm()
    meta_form = LessonMetaForm(
        data=u.load_yaml(services.neutral_value(d, f"{page}:meta") or "") or {}
    )
    if not form.validate():
        return _lesson_render(d, module, lesson_id, meta_form, None, 400, image_form=form)
    data = form.image.data.read(current_app.config["AUTHORING_MAX_IMAGE_BYTES"] + 1)
    bases = sent_bases()
    try:
        services.add_image(
            d,
            request_author(),
            module_id,
            lesson_id,
            data,
            {"kk": form.alt_kk.data, "ru": form.alt_ru.data},
            {lang: bases.get((f"{page}:body", lang), "") for lang in LANGUAGES},
            current_app.config["AUTHORING_MAX_IMAGE_BYTES"],
        )
    except services.ImageRefused as e:
        db.session.rollback()
        message = {
            "size": _(
                "The image is too large: the limit is %(kb)s KB.",
                kb=current_app.config["AUTHORING_MAX_IMAGE_BYTES"] // 1024,
            ),
            "alt": _("Describe the image in both languages."),
        }.get(e.reason, _("This file is not a PNG, JPEG, WebP or GIF image we can show."))
        form.image.errors = [message]
        return _lesson_render(d, module, lesson_id, meta_form, None, 400, image_form=form)
    except services.Conflict as e:
        db.session.rollback()
        return _lesson_render(d, module, lesson_id, meta_form, e, 409, image_form=form)
    db.session.commit()
    flash(_("The image is added at the end of the lesson in both languages."), "success")
    return redirect(url_for(".lesson_page", module_id=module_id, lesson_id=lesson_id), 303)


@bp.get("/media/<path:name>")
def draft_media(name: str):
    # The draft's images, for the preview; send_from_directory refuses paths that leave it.
    return send_from_directory(services.draft().root / "media", name, max_age=0)


@bp.post("/confirm/<target_lang>")
def confirm(target_lang: str):
    """A trainer says a flagged text is still right (after a typo fix on the other side)."""
    if target_lang not in LANGUAGES or not ButtonForm().validate():
        abort(400)
    d = services.draft()
    page = request.form.get("page", "")
    target = _page_url(d, page)
    if target is None:
        abort(404)
    count = services.confirm(d, page, target_lang)
    db.session.commit()
    if count:
        flash(_("Marked as up to date."), "success")
    return redirect(target, 303)


def _page_url(d: u.Draft, page: str) -> str | None:
    """The editor of a unit page, if the page exists in the draft."""
    kind, _, rest = page.partition(":")
    if kind == "lesson" and "/" in rest:
        module_id, lesson_id = rest.split("/", 1)
        module = d.module(module_id)
        if module and lesson_id in module.lessons:
            return url_for(".lesson_page", module_id=module_id, lesson_id=lesson_id)
    elif kind == "module" and d.module(rest):
        return url_for(".module_page", module_id=rest)
    elif page in ("course", "glossary", "pocket"):
        return url_for(".texts_page", page=page)
    elif kind == "question":
        found = d.find_question(rest)
        if found:
            return url_for(".question_page", set_id=found[0].id, question_id=rest)
    elif kind == "scenario":
        set_id, _, scenario = rest.partition(":")
        qset = d.question_set(set_id)
        for q in d.questions(qset) if qset else []:
            if q.get("scenario") == scenario:
                return url_for(".question_page", set_id=set_id, question_id=q["id"])
    return None


# ---------------------------------------------------------------- history


@bp.get("/history")
def history():
    d = services.draft()
    page = request.args.get("page", "")
    target = _page_url(d, page)
    if target is None:
        abort(404)
    revisions = services.history(page)
    current = {
        (r.unit_key, r.lang): services.current_fingerprint(d, r.unit_key, r.lang)
        for r in revisions
        if r.lang != NEUTRAL or r.unit_key.endswith((":structure", ":meta", ":status_as_of"))
    }
    return render_template(
        "authoring/history.html",
        page=page,
        target=target,
        revisions=revisions,
        current=current,
        button=ButtonForm(),
    )


@bp.post("/revisions/<int:revision_id>/restore")
def restore(revision_id: int):
    rev = services.revision(revision_id)
    if rev is None:
        abort(404)
    if not ButtonForm().validate():
        abort(400)
    d = services.draft()
    target = _page_url(d, rev.page)
    if target is None:
        abort(404)
    try:
        services.restore(d, request_author(), rev, request.form.get("base", ""))
    except services.Conflict:
        db.session.rollback()
        flash(
            _("This text has changed since you opened the history. Open it again and retry."),
            "error",
        )
        return redirect(url_for(".history", page=rev.page), 303)
    except (KeyError, ValueError):
        db.session.rollback()
        abort(400, description=_("This version can no longer be restored."))
    db.session.commit()
    flash(_("The earlier version is restored in the draft."), "success")
    return redirect(target, 303)


# ---------------------------------------------------------------- publishing


@bp.route("/publish", methods=["GET", "POST"])
def publish():
    d = services.draft()
    form = PublishForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                course = services.publish(
                    d,
                    request_author(),
                    form.law_in_force_on.data,
                    form.review_note.data,
                    form.supersedes.data,
                    today_in(current_app.config["BABEL_DEFAULT_TIMEZONE"]),
                )
            except services.PublishBlocked:
                status = 400
                flash(_("Not published: fix what is listed below first."), "error")
            except EditionExists:
                status = 409
                flash(
                    _("Someone else published an edition a moment ago. Check and retry."), "error"
                )
            else:
                db.session.commit()
                flash(
                    _(
                        "Edition %(number)s is published. Learners see it now.",
                        number=course.edition,
                    ),
                    "success",
                )
                return redirect(url_for(".publish"), 303)
        else:
            status = 400
    problems, gaps = services.publish_checks(d)
    return (
        render_template(
            "authoring/publish.html",
            form=form,
            problems=problems,
            gaps=gaps,
            changed=services.changed_modules(d),
            records=editions().records(),
            next_number=editions().next_number(),
        ),
        status,
    )
