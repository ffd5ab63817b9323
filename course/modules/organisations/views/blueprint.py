"""The organisation area's blueprints (pages under /<lang>/, and the token API) and what
their views share: refusal messages, act-or-refuse, the staff check."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    url_for,
)
from flask_login import current_user

from course.core.db import db
from course.core.i18n import LANG_PREFIX, _
from course.modules.certificates import services as certificates
from course.modules.organisations import services

bp = Blueprint("organisations", __name__, url_prefix=LANG_PREFIX, template_folder="../templates")
api = Blueprint("organisations_api", __name__)


def refused_message(reason: str) -> str:
    return {
        "bin": _("A BIN has 12 digits and a valid check digit. Check the number."),
        "bin_taken": _("An organisation with this BIN has applied already."),
        "decided": _("This application has been decided already."),
        "reason": _("Give the reason for the rejection."),
        "invitation": _("This invitation does not work: it was used already or is not valid."),
        "invitation_email": _("This invitation was sent to another e-mail address."),
        "email": _("Enter a valid e-mail address."),
        "self": _("You cannot remove yourself."),
        "not_member": _("This person is not on your staff."),
        "organisation": _("Choose an organisation from the list."),
        "linked": _("You have named an organisation already. Withdraw that request first."),
        "link": _("There is no such request for your organisation."),
        "token_name": _("Give the token a name."),
        "token": _("There is no such token of your organisation."),
    }.get(reason, _("The request could not be understood. Please try again."))


NOT_YOURS = frozenset({"token", "link", "not_member", "invitation_email"})


def act_or_refuse(action, page, endpoint: str):
    """Do it and go back to the page, or say on that page (with a 4xx) why it was refused."""
    try:
        action()
    except services.Refused as e:
        db.session.rollback()
        flash(refused_message(e.reason), "error")
        return page(), 404 if e.reason in NOT_YOURS else 400
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(endpoint))


def staff_or_403(admin: bool = False):
    """The current user's organisation and role, or 403."""
    found = services.membership_of(current_user.id)
    if found is None or (admin and found[1].role != "admin"):
        abort(403)
    return found


def display_code(code: str | None) -> str:
    return certificates.display_code(code)
