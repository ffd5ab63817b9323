"""The quiz editor: the question list with item statistics, one question's key and texts
in both languages in one form, adding, reordering and retiring questions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from course.core.content import LANGUAGES
from course.core.db import db
from course.core.i18n import _, current_language
from course.modules.authoring import services
from course.modules.authoring import units as u
from course.modules.authoring.forms import ButtonForm, QuestionMetaForm
from course.modules.authoring.models import NEUTRAL
from course.modules.authoring.services import questions
from course.modules.authoring.views.blueprint import bp, request_author, sent_bases, sent_text
from course.modules.quizzes import services as quizzes


def _set_or_404(d: u.Draft, set_id: str) -> u.QuestionSet:
    qset = d.question_set(set_id)
    if qset is None:
        abort(404)
    return qset


@bp.get("/quizzes/<set_id>")
def questions_page(set_id: str):
    d = services.draft()
    qset = _set_or_404(d, set_id)
    questions = d.questions(qset)
    page_units = [x for q in questions for x in d.texts_of_page(f"question:{q['id']}")]
    stats = {s.question_id: s for s in quizzes.item_statistics()}
    return render_template(
        "authoring/questions.html",
        draft=d,
        qset=qset,
        questions=questions,
        states=services.states(page_units),
        stats=stats,
        button=ButtonForm(),
    )


@bp.post("/quizzes/<set_id>/<question_id>/move")
def move_question(set_id: str, question_id: str):
    d = services.draft()
    qset = _set_or_404(d, set_id)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None or not ButtonForm().validate() or d.question(qset, question_id) is None:
        abort(400)
    questions.move_question(d, request_author(), qset, question_id, step)
    db.session.commit()
    return redirect(url_for(".questions_page", set_id=set_id) + f"#q-{question_id}", 303)


@bp.post("/quizzes/<set_id>/<question_id>/retire")
def retire_question(set_id: str, question_id: str):
    d = services.draft()
    qset = _set_or_404(d, set_id)
    retire = request.form.get("retire") == "1"
    if not ButtonForm().validate() or d.question(qset, question_id) is None:
        abort(400)
    questions.set_retired(d, request_author(), qset, question_id, retire)
    db.session.commit()
    if retire:
        flash(_("The question is retired: it leaves the quiz in the next edition."), "success")
    else:
        flash(_("The question is back in the quiz from the next edition."), "success")
    return redirect(url_for(".questions_page", set_id=set_id) + f"#q-{question_id}", 303)


@bp.route("/quizzes/<set_id>/new", methods=["GET", "POST"])
def new_question(set_id: str):
    d = services.draft()
    qset = _set_or_404(d, set_id)
    return _question_view(d, qset, None)


@bp.route("/quizzes/<set_id>/<question_id>", methods=["GET", "POST"])
def question_page(set_id: str, question_id: str):
    d = services.draft()
    qset = _set_or_404(d, set_id)
    if d.question(qset, question_id) is None:
        abort(404)
    return _question_view(d, qset, question_id)


def _question_input(
    d: u.Draft, set_id: str, question_id: str, old: dict | None, form
) -> questions.QuestionInput:
    """The question form as plain values. Its fields are named by role (`text:prompt:kk`),
    not by unit key, so a new question's texts survive whichever id it gets."""
    page = f"question:{question_id}"
    given = sent_bases()
    bases: dict[tuple[str, str], str] = {}
    old_options = list(old.get("options") or []) if old else []
    options = []
    for n in range(min(int(request.form.get("option_rows", "0") or 0), 26)):
        given_id = request.form.get(f"opt-{n}-id") or None
        given_id = given_id if given_id in old_options else None  # never an id from the form
        position = (request.form.get(f"opt-{n}-position") or "").strip()
        options.append(
            questions.OptionInput(
                id=given_id,
                text={lang: sent_text(f"opt-{n}", lang) or "" for lang in LANGUAGES},
                correct=request.form.get(f"opt-{n}-correct") == "1",
                position=int(position) if position.isdigit() else None,
                remove=request.form.get(f"opt-{n}-remove") == "1",
            )
        )
        if given_id:
            for lang in LANGUAGES:
                bases[(f"{page}:option:{given_id}", lang)] = given.get((f"opt-{n}", lang), "")
    # Options no longer in the form (removed) are checked against what the editor showed.
    for option_id in old_options:
        for lang in LANGUAGES:
            bases.setdefault(
                (f"{page}:option:{option_id}", lang),
                given.get((f"option:{option_id}", lang), ""),
            )
    texts = {}
    for kind in ("prompt", "explanation", "legal_basis"):
        texts[kind] = {lang: sent_text(kind, lang) or "" for lang in LANGUAGES}
        for lang in LANGUAGES:
            bases[(f"{page}:{kind}", lang)] = given.get((kind, lang), "")
    scenario_id = (form.scenario_id.data or "").strip() or None
    scenario = {}
    if scenario_id:
        scenario = {lang: sent_text("scenario", lang) or "" for lang in LANGUAGES}
        key = f"scenario:{set_id}:{scenario_id}"
        for lang in LANGUAGES:
            if old and old.get("scenario") == scenario_id:
                bases[(key, lang)] = given.get(("scenario", lang), "")
            else:  # another scenario than the editor showed: its text was not in the form
                bases[(key, lang)] = services.current_fingerprint(d, key, lang)
    return questions.QuestionInput(
        type=form.type.data,
        prompt=texts["prompt"],
        explanation=texts["explanation"],
        legal_basis=texts["legal_basis"],
        options=options,
        true_false_answer=form.true_false_answer.data or None,
        module_id=form.module.data or None,
        scenario_id=scenario_id,
        scenario=scenario,
        bases=bases,
    )


QUESTION_REFUSALS = {
    "options": lambda: _("A question needs at least two options."),
    "correct": lambda: _(
        "Mark the right answer: exactly one for this type, at least one for several."
    ),
    "ordering": lambda: _("Give each option its place in the right order: 1, 2, 3 …"),
    "module": lambda: _("Choose the module this question belongs to."),
    "scenario": lambda: _("Use lower-case Latin letters, digits, dashes."),
}


def _question_view(d: u.Draft, qset: u.QuestionSet, question_id: str | None):
    old = d.question(qset, question_id) if question_id else None
    form = QuestionMetaForm(
        data={
            "type": old.get("type"),
            "module": old.get("module"),
            "scenario_id": old.get("scenario"),
            "true_false_answer": str((old.get("correct") or [""])[0]).lower()
            if old.get("type") == "true_false"
            else "",
        }
        if old and request.method == "GET"
        else None
    )
    lang = current_language()
    form.module.choices = [
        SelectChoice(m.id, d.units[f"module:{m.id}:title"].text[lang] or m.id) for m in d.modules
    ]
    conflict, status, error = None, 200, None
    if request.method == "POST":
        if form.validate():
            target_id = question_id or questions.new_question_id(d, qset)
            given = _question_input(d, qset.id, target_id, old, form)
            base = request.form.get("base:structure", "")
            try:
                questions.save_question(d, request_author(), qset, target_id, given, base)
            except questions.QuestionInvalid as e:
                db.session.rollback()
                error, status = QUESTION_REFUSALS[e.reason](), 400
            except services.Conflict as e:
                db.session.rollback()
                conflict, status = e, 409
            else:
                db.session.commit()
                flash(_("The draft is saved. Learners see it after the next edition."), "success")
                return redirect(
                    url_for(".question_page", set_id=qset.id, question_id=target_id), 303
                )
        else:
            status = 400
    return _question_render(d, qset, question_id, old, form, conflict, status, error)


def _question_render(d, qset, question_id, old, form, conflict, status, error):
    page = f"question:{question_id}" if question_id else ""

    def unit(key: str, kind: str) -> u.Unit:
        empty = u.Unit(key, None, page, kind, "", (), dict.fromkeys(LANGUAGES, ""))
        return d.units.get(key, empty)

    texts = {
        kind: unit(f"{page}:{kind}", kind) for kind in ("prompt", "explanation", "legal_basis")
    }
    scenario_id = old.get("scenario") if old else None
    scenario = unit(f"scenario:{qset.id}:{scenario_id}" if scenario_id else "", "scenario")
    correct = [str(c).lower() for c in (old.get("correct") or [])] if old else []
    options = [
        {
            "id": option_id,
            "unit": unit(f"{page}:option:{option_id}", "option"),
            "correct": option_id in correct,
            "position": correct.index(option_id) + 1 if option_id in correct else "",
        }
        for option_id in ((old.get("options") or []) if old else [])
    ]
    shown = [*texts.values(), *(x["unit"] for x in options), scenario]
    stats = None
    if question_id:
        stats = next((s for s in quizzes.item_statistics() if s.question_id == question_id), None)
    return (
        render_template(
            "authoring/question.html",
            qset=qset,
            question_id=question_id,
            question=old,
            form=form,
            texts=texts,
            scenario=scenario,
            options=options,
            blank_rows=2,
            states=services.states([x for x in shown if x.key and x.file]),
            structure_base=services.current_fingerprint(d, f"{page}:structure", NEUTRAL)
            if question_id
            else "",
            stats=stats,
            conflict=conflict,
            error=error,
            sent=request.form if request.method == "POST" else None,
            button=ButtonForm(),
        ),
        status,
    )
