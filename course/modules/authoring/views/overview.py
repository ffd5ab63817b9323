"""The editor's overview, the translation status of every page, and publishing an edition."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from course.core.content.editions import today_in
from course.core.content.published import editions, modules_due
from course.core.content.records import EditionExists
from course.core.db import db
from course.core.i18n import _, current_language
from course.modules.authoring import services
from course.modules.authoring.forms import publish_form, review_field
from course.modules.authoring.views.blueprint import bp, request_author
from course.modules.authoring.views.lessons import page_url


@bp.get("/")
def overview():
    d = services.draft()
    return render_template(
        "authoring/overview.html",
        modules=services.modules_overview(d),
        due=modules_due(editions().current()),
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
    urls = {page: page_url(d, page) for page in {gap.unit.page for gap in gaps}}
    return render_template(
        "authoring/translation.html", draft=d, by_module=by_module, total=len(gaps), urls=urls
    )


@bp.route("/publish", methods=["GET", "POST"])
def publish():
    d = services.draft()
    today = today_in(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    lang = current_language()
    needed, offered = (
        [(m.id, d.units[f"module:{m.id}:title"].text[lang] or m.id) for m in modules]
        for modules in services.review_dates_needed(d)
    )
    form = publish_form(needed, offered, today)
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
                    today,
                    {
                        mid: form[review_field(mid)].data
                        for mid, _title in needed + offered
                        if form[review_field(mid)].data is not None
                    },
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
            review_fields=[form[review_field(mid)] for mid, _title in needed],
            optional_review_fields=[form[review_field(mid)] for mid, _title in offered],
            records=editions().records(),
            next_number=editions().next_number(),
        ),
        status,
    )
