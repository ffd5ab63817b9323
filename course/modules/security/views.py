"""The admins' view of the security log: a filtered page and the same as CSV."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request

from course.core import spreadsheets
from course.core.access import role_required
from course.core.i18n import LANG_PREFIX, _, format_datetime
from course.modules.security import services

bp = Blueprint("security", __name__, url_prefix=LANG_PREFIX, template_folder="templates")


def kind_labels() -> dict[str, str]:
    return {
        "sign_in": _("Signed in"),
        "sign_in_failed": _("Failed sign-in"),
        "sign_out": _("Signed out"),
        "session_expired": _("Session ended after inactivity"),
        "password_reset_requested": _("Password reset asked for"),
        "password_reset_used": _("Password reset used"),
        "password_changed": _("Password changed"),
        "role_changed": _("Role changed"),
        "organisation_approved": _("Organisation approved"),
        "organisation_rejected": _("Organisation rejected"),
        "token_created": _("API token made"),
        "token_revoked": _("API token revoked"),
        "edition_published": _("Edition published"),
        "certificate_revoked": _("Certificate revoked"),
        "certificate_replaced": _("Certificate replaced"),
        "key_rotated": _("Signing key rotated"),
        "key_withdrawn": _("Signing key withdrawn"),
        "identity_check_locked": _("Identity check locked"),
        "election_recorded": _("Election recorded"),
        "accreditation_recorded": _("Accreditation recorded"),
        "organisation_document_uploaded": _("Organisation's document uploaded"),
        "assignments_imported": _("Assignments to polling stations imported"),
        "election_removed": _("Election removed"),
        "refresher_reminders_sent": _("Refresher reminders sent"),
    }


def _date(name: str) -> tuple[date | None, bool]:
    typed = request.args.get(name, "").strip()
    if not typed:
        return None, True
    try:
        return date.fromisoformat(typed), True
    except ValueError:
        return None, False


def _filter() -> tuple[services.Filter, str | None]:
    """The filter from the query string, and a message when part of it is not valid."""
    kind = request.args.get("kind") or None
    actor = request.args.get("actor", "").strip()
    since, since_ok = _date("since")
    until, until_ok = _date("until")
    error = None
    if kind is not None and kind not in services.KINDS:
        kind, error = None, _("Choose an event from the list.")
    if actor and not actor.isdigit():
        actor, error = "", _("A user number has only digits.")
    if not (since_ok and until_ok):
        error = _("Write the date as YYYY-MM-DD, e.g. 2027-03-31.")
    wanted = services.Filter(
        kind=kind,
        actor_id=int(actor) if actor else None,
        subject=request.args.get("subject", "").strip()[:300] or None,
        since=since,
        until=until,
    )
    return wanted, error


@bp.get("/admin/security")
@role_required("admin")
def events():
    wanted, error = _filter()
    page = render_template(
        "security/events.html",
        entries=services.events(wanted) if error is None else [],
        wanted=wanted,
        labels=kind_labels(),
        error=error,
        page_size=services.PAGE_SIZE,
    )
    return page, 400 if error else 200


@bp.get("/admin/security.csv")
@role_required("admin")
def events_csv():
    wanted, error = _filter()
    if error:
        return events()
    labels = kind_labels()
    header = [_("Time"), _("Event"), "kind", _("Who"), _("Subject"), _("Address"), _("Detail")]
    rows = (
        [
            format_datetime(e.at, "yyyy-MM-dd HH:mm:ss"),
            labels.get(e.kind, e.kind),
            e.kind,
            e.actor_id or "",
            e.subject or "",
            e.address or "",
            e.detail or "",
        ]
        for e in services.all_events(wanted)
    )
    return spreadsheets.csv_response("security-log.csv", header, rows)
