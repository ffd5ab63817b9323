"""A page's history, and restoring a revision."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from course.core.db import db
from course.core.i18n import _
from course.modules.authoring import services
from course.modules.authoring.forms import (
    ButtonForm,
)
from course.modules.authoring.models import NEUTRAL
from course.modules.authoring.services.saving import MODULE_DATES
from course.modules.authoring.views.blueprint import bp, request_author
from course.modules.authoring.views.lessons import page_url


@bp.get("/history")
def history():
    d = services.draft()
    page = request.args.get("page", "")
    target = page_url(d, page)
    if target is None:
        abort(404)
    revisions = services.history(page)
    current = {
        (r.unit_key, r.lang): services.current_fingerprint(d, r.unit_key, r.lang)
        for r in revisions
        if r.lang != NEUTRAL or r.unit_key.endswith((":structure", ":meta", *MODULE_DATES))
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
    target = page_url(d, rev.page)
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
