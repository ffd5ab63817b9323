"""Applying as an organisation, and the admins' decisions and view of every verification."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from course.core.access import role_required
from course.core.db import db
from course.core.i18n import _
from course.modules.organisations import services
from course.modules.organisations.forms import ApplicationForm
from course.modules.organisations.views.blueprint import act_or_refuse, bp, refused_message


@bp.route("/organisations/apply", methods=["GET", "POST"])
@login_required
def apply():
    form = ApplicationForm()
    if form.validate_on_submit():
        data = {k: v for k, v in form.data.items() if k != "csrf_token"}
        data["accreditation_number"] = data["accreditation_number"] or None
        data["accreditation_valid_until"] = data["accreditation_valid_until"] or None
        try:
            services.apply(current_user.id, services.Application(**data))
        except services.Refused as e:
            db.session.rollback()
            form.bin.errors.append(refused_message(e.reason))
            return render_template("organisations/apply.html", form=form), 409
        db.session.commit()
        flash(_("Thank you. An administrator will review the application."), "success")
        return redirect(url_for("learning.course_home"))
    return render_template("organisations/apply.html", form=form), 400 if form.errors else 200


@bp.route("/admin/organisations", methods=["GET", "POST"])
@role_required("admin")
def decide():
    if request.method == "POST":
        organisation = services.get(request.form.get("organisation", type=int) or 0)
        if organisation is None:
            abort(404)
        reason = request.form.get("reason", "")

        def act() -> None:
            if request.form.get("action") == "approve":
                services.approve(organisation, current_user.id)
            else:
                services.reject(organisation, current_user.id, reason)

        return act_or_refuse(act, _decide_page, ".decide")
    return _decide_page()


def _decide_page() -> str:
    return render_template(
        "organisations/decide.html", pending=services.pending(), approved=services.approved()
    )


# Refusals that mean "no such object of yours": another organisation's token, request or
# staff member answers as if it did not exist.


@bp.get("/admin/verifications")
@role_required("admin")
def all_verifications():
    return render_template("organisations/log.html", entries=services.log(None), organisation=None)
