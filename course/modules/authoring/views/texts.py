"""Editing a module's texts and the course-wide texts (course, glossary, pocket reference)
side by side in both languages."""

from __future__ import annotations

from flask import (
    abort,
    redirect,
    render_template,
    request,
    url_for,
)

from course.core.content import LANGUAGES
from course.modules.authoring import services
from course.modules.authoring import units as u
from course.modules.authoring.forms import (
    ButtonForm,
    ModuleMetaForm,
)
from course.modules.authoring.models import NEUTRAL
from course.modules.authoring.views.blueprint import bp, save_page, sent_bases


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
            conflict = save_page(d, page, [neutral], bases)
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
        conflict = save_page(d, page)
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
