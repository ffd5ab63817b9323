"""The admins' page of elections: the list, recording one, removing one; each change signs
the key list again with the election days."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from course.core.access import role_required
from course.core.db import db
from course.core.i18n import _
from course.modules.campaigns import services
from course.modules.campaigns.forms import ElectionForm, kind_labels
from course.modules.campaigns.views.blueprint import bp


def _page(form: ElectionForm, status: int = 200):
    return (
        render_template(
            "campaigns/elections.html",
            form=form,
            elections=services.elections(),
            kinds=kind_labels(),
            unpublished=services.unpublished_election_days(),
        ),
        status,
    )


@bp.route("/admin/elections", methods=["GET", "POST"])
@role_required("admin")
def elections():
    form = ElectionForm()
    if not form.is_submitted():
        return _page(form)
    if not form.validate():
        return _page(form, 400)
    try:
        services.record(
            form.kind.data, form.day.data, form.name_kk.data, form.name_ru.data, current_user.id
        )
    except services.ElectionExists:
        db.session.rollback()
        form.day.errors = [_("An election of this kind is recorded on this day already.")]
        return _page(form, 409)
    db.session.commit()
    flash(_("The election is recorded."), "success")
    _publish_days()
    return redirect(url_for(".elections"), 303)


@bp.post("/admin/elections/<int:election_id>/remove")
@role_required("admin")
def remove(election_id: int):
    # The app's CSRF protection has checked the form's token already.
    if not services.remove(election_id, current_user.id):
        abort(404)
    db.session.commit()
    flash(_("The election is removed."), "success")
    _publish_days()
    return redirect(url_for(".elections"), 303)


def _publish_days() -> None:
    if not services.publish_election_days():
        flash(
            _(
                "The root key is not on this server, so the published key list does not "
                "name this change yet: sign the list again where the root key is kept "
                "(course keys sign-list --root-key FILE)."
            ),
            "error",
        )
