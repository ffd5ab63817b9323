"""The learner's side: naming one's organisation, or withdrawing the request."""

from __future__ import annotations

from flask import (
    render_template,
    request,
)
from flask_login import current_user, login_required

from course.modules.organisations import services
from course.modules.organisations.views.blueprint import act_or_refuse, bp


@bp.route("/my-organisation", methods=["GET", "POST"])
@login_required
def my_organisation():
    if request.method == "POST":
        chosen = request.form.get("organisation", type=int) or 0

        def act() -> None:
            if request.form.get("action") == "withdraw":
                services.withdraw_link(current_user.id)
            else:
                services.request_link(current_user.id, chosen)

        return act_or_refuse(act, _my_organisation_page, ".my_organisation")
    return _my_organisation_page()


def _my_organisation_page() -> str:
    link = services.link_of(current_user.id)
    return render_template(
        "organisations/mine.html",
        link=link,
        organisation=services.get(link.organisation_id) if link else None,
        organisations=services.approved(),
    )
