"""Observers at polling stations for an election (one by one or from a CSV file), reminders
to those whose certificate needs a refresher, and the observers' packets (printed by the
organisation, or downloaded by the observer)."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required

from course.core import spreadsheets
from course.core.content.published import current_course
from course.core.db import db
from course.core.i18n import _, ngettext
from course.modules.campaigns import services
from course.modules.campaigns.forms import AssignmentForm, AssignmentsFileForm
from course.modules.campaigns.views.blueprint import bp, pdf_response, staff
from course.modules.certificates import services as certificates
from course.modules.organisations import services as organisations


def _station_page(
    organisation, membership, election, one=None, upload=None, problems=(), status=200
):
    course = current_course()
    one = one or AssignmentForm()
    one.observer.choices = _observer_choices(organisation, course)
    assigned = services.assigned_observers(organisation, election.id, course)
    return (
        render_template(
            "campaigns/stations.html",
            organisation=organisation,
            election=election,
            may_change=membership.role == "admin",
            assigned=assigned,
            one=one,
            upload=upload or AssignmentsFileForm(),
            problems=[(p.row, assignment_problem(p.reason)) for p in problems],
            display_code=certificates.display_code,
            parts=services.packet_parts(assigned, current_app.config["PACKETS_PER_DOWNLOAD"]),
        ),
        status,
    )


def _observer_choices(organisation, course) -> list[tuple[int, str]]:
    return [(r.user_id, r.name) for r in organisations.roster(organisation, course)]


def assignment_problem(reason: str) -> str:
    return {
        "not_observer": _("This person is not a confirmed observer of your organisation."),
        "unknown": _(
            "No confirmed observer of your organisation has this certificate code or IIN."
        ),
        "iin_format": _("The IIN must have 12 digits."),
        "iin_check": _("The IIN's check digit is wrong: check for a typing error."),
        "station": _("Give the polling station's number (up to 20 characters)."),
        "address": _("Give the polling station's address (up to 300 characters)."),
        "coordinator": _("The coordinator's name is too long (up to 200 characters)."),
        "duplicate": _("This observer is in the file already."),
        "too_many_rows": _("The file has too many rows: the limit is 10,000."),
    }.get(reason, _("The row must have 3 or 4 fields: iin_or_code, station, address, coordinator."))


def _election_or_404(election_id: int):
    election = services.election(election_id)
    if election is None:
        abort(404)
    return election


@bp.get("/organisation/papers/stations/<int:election_id>")
@login_required
def stations(election_id: int):
    organisation, membership = staff()
    return _station_page(organisation, membership, _election_or_404(election_id))


@bp.post("/organisation/papers/stations/<int:election_id>/assign")
@login_required
def assign(election_id: int):
    organisation, membership = staff(admin=True)
    election = _election_or_404(election_id)
    form = AssignmentForm()
    form.observer.choices = _observer_choices(organisation, current_course())
    if not form.validate():
        return _station_page(organisation, membership, election, one=form, status=400)
    try:
        services.assign(
            organisation,
            election.id,
            form.observer.data,
            form.station.data,
            form.address.data,
            form.coordinator.data or "",
            current_user.id,
            current_course(),
        )
    except services.AssignmentRefused as e:
        db.session.rollback()
        form.station.errors = [assignment_problem(e.reason)]
        return _station_page(organisation, membership, election, one=form, status=400)
    db.session.commit()
    flash(_("The observer is assigned."), "success")
    return redirect(url_for(".stations", election_id=election.id), 303)


@bp.post("/organisation/papers/stations/<int:election_id>/import")
@login_required
def import_stations(election_id: int):
    organisation, membership = staff(admin=True)
    election = _election_or_404(election_id)
    form = AssignmentsFileForm()
    if not form.validate():
        return _station_page(organisation, membership, election, upload=form, status=400)
    text = spreadsheets.uploaded_text(form.file.data.read())
    count, problems = services.import_assignments(
        organisation, election.id, text, current_user.id, current_course()
    )
    db.session.commit()
    if count:
        flash(
            ngettext("%(num)d observer assigned.", "%(num)d observers assigned.", count), "success"
        )
    if problems:
        # The page itself, not a redirect: the rows left out are listed once, with the form.
        return _station_page(
            organisation,
            membership,
            election,
            upload=form,
            problems=problems,
            status=200 if count else 400,
        )
    return redirect(url_for(".stations", election_id=election.id), 303)


@bp.post("/organisation/papers/stations/<int:election_id>/reminders")
@login_required
def remind_refreshers(election_id: int):
    """Remind one observer (the form's `user_id`) or every observer at a station for this
    election whose certificate needs a refresher (no `user_id`)."""
    organisation, _member = staff(admin=True)
    election = _election_or_404(election_id)
    wanted = request.form.get("user_id", "")
    if wanted and not wanted.isdigit():
        abort(400)
    done = services.remind_refreshers(
        organisation,
        election.id,
        [int(wanted)] if wanted else None,
        current_user.id,
        current_course(),
    )
    db.session.commit()
    if done.sent:
        flash(ngettext("%(num)d reminder sent.", "%(num)d reminders sent.", done.sent), "success")
    if done.too_soon:
        flash(
            ngettext(
                "%(num)d observer was reminded less than a day ago: not reminded again.",
                "%(num)d observers were reminded less than a day ago: not reminded again.",
                done.too_soon,
            ),
            "error",
        )
    if not done.sent and not done.too_soon:
        flash(_("Nobody assigned here needs a refresher."), "error")
    return redirect(url_for(".stations", election_id=election.id), 303)


@bp.get("/organisation/papers/stations/<int:election_id>/packets/<int:user_id>.pdf")
@login_required
def observer_packet(election_id: int, user_id: int):
    organisation, _member = staff()
    made = services.observer_packet(organisation, election_id, user_id, current_course())
    return pdf_response(made, f"packet-{election_id}-{user_id}.pdf")


@bp.get("/organisation/papers/stations/<int:election_id>/packets-<int:part>.zip")
@login_required
def packets_zip(election_id: int, part: int):
    """Part `part` (from 1) of the election's packets: a ZIP streamed as each is made, so
    the download starts at once and the browser shows it growing."""
    organisation, _member = staff()
    election = _election_or_404(election_id)
    per_part = current_app.config["PACKETS_PER_DOWNLOAD"]
    assigned = services.assigned_observers(organisation, election.id, current_course())
    parts = services.packet_parts(assigned, per_part)
    if not 1 <= part <= len(parts):
        abort(404)
    chunks = services.packets_zip(organisation, election.id, parts[part - 1])
    response = Response(stream_with_context(chunks), mimetype="application/zip")
    name = f"packets-{election.day.isoformat()}-{part}-of-{len(parts)}.zip"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/my-packets")
@login_required
def my_packets():
    return render_template(
        "campaigns/my_packets.html", assigned=services.packets_of_observer(current_user.id)
    )


@bp.get("/my-packets/<int:election_id>.pdf")
@login_required
def my_packet(election_id: int):
    """The signed-in observer's own packet, from the organisation that assigned them."""
    found = next(
        (a for e, a in services.packets_of_observer(current_user.id) if e.id == election_id),
        None,
    )
    organisation = organisations.get(found.organisation_id) if found else None
    made = (
        services.observer_packet(organisation, election_id, current_user.id, current_course())
        if organisation is not None
        else None
    )
    return pdf_response(made, f"packet-{election_id}.pdf")
