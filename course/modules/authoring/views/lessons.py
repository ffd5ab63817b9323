"""Editing a lesson in both languages with a preview, its images, draft media, and
confirming a text is still right in the other language."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from course.core.content import LANGUAGES, markdown
from course.core.db import db
from course.core.i18n import _
from course.modules.authoring import services
from course.modules.authoring import units as u
from course.modules.authoring.forms import (
    ButtonForm,
    ImageForm,
    LessonMetaForm,
)
from course.modules.authoring.models import NEUTRAL
from course.modules.authoring.views.blueprint import (
    bp,
    request_author,
    save_page,
    sent_bases,
    sent_text,
)
from course.modules.authoring.views.texts import _module_or_404


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
            conflict = save_page(d, page, [neutral], bases)
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
    target = page_url(d, page)
    if target is None:
        abort(404)
    count = services.confirm(d, page, target_lang)
    db.session.commit()
    if count:
        flash(_("Marked as up to date."), "success")
    return redirect(target, 303)


def page_url(d: u.Draft, page: str) -> str | None:
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
