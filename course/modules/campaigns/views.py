"""The admins' page of elections (the list, recording one, removing one), and an
organisation's papers: its accreditation for each election and its documents."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required

from course.core import spreadsheets
from course.core.access import role_required
from course.core.content.published import current_course
from course.core.db import db
from course.core.i18n import LANG_PREFIX, _, current_language, format_date, ngettext
from course.core.uploads import allows_upload
from course.modules.campaigns import documents, services
from course.modules.campaigns.forms import (
    AccreditationForm,
    AssignmentForm,
    AssignmentsFileForm,
    DocumentForm,
    ElectionForm,
    document_labels,
    kind_labels,
)
from course.modules.certificates import services as certificates
from course.modules.organisations import services as organisations

bp = Blueprint("campaigns", __name__, url_prefix=LANG_PREFIX, template_folder="templates")


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


# ---------------------------------------------------------------- an organisation's papers


def _membership(admin: bool):
    """The signed-in person's approved organisation and membership (an admin's, when
    asked), or None."""
    if not current_user.is_authenticated:
        return None
    found = organisations.membership_of(current_user.id)
    if found is None or (admin and found[1].role != "admin"):
        return None
    return found


def _staff(admin: bool = False):
    """The signed-in person's approved organisation and membership, or 403."""
    found = _membership(admin)
    if found is None:
        abort(403)
    return found


def _may_upload() -> bool:
    return _membership(admin=True) is not None


def _papers_page(organisation, membership, accreditation_form=None, document_form=None, status=200):
    elections = services.elections()
    accreditation_form = accreditation_form or AccreditationForm()
    accreditation_form.election.choices = _election_choices(elections)
    return (
        render_template(
            "campaigns/papers.html",
            organisation=organisation,
            may_change=membership.role == "admin",
            elections=elections,
            accreditations=services.accreditations(organisation.id),
            documents=services.organisation_documents(organisation.id),
            document_labels=document_labels(),
            accreditation_form=accreditation_form,
            document_form=document_form or DocumentForm(),
            kinds=kind_labels(),
            max_mb=documents.MAX_BYTES // (1024 * 1024),
        ),
        status,
    )


def _election_choices(elections) -> list[tuple[int, str]]:
    lang = current_language()
    return [(e.id, f"{e.name(lang)} ({format_date(e.day)})") for e in elections]


def document_error_message(reason: str) -> str:
    return {
        "empty": _("The file is empty."),
        "too_large": _(
            "The file is too large: the limit is %(mb)s MB.", mb=documents.MAX_BYTES // 1048576
        ),
        "not_pdf": _("The file is not a PDF document."),
        "encrypted": _("The PDF is protected by a password: upload it without one."),
        "too_many_pages": _(
            "The PDF has too many pages: the limit is %(pages)s.", pages=documents.MAX_PAGES
        ),
    }.get(reason, _("The PDF cannot be read: it may be damaged. Save it again and upload it."))


def _read_upload(storage) -> bytes:
    # One byte past the limit is enough to know it is too large.
    return storage.read(documents.MAX_BYTES + 1)


@bp.get("/organisation/papers")
@login_required
def papers():
    organisation, membership = _staff()
    return _papers_page(organisation, membership)


@bp.post("/organisation/papers/accreditation")
@allows_upload(documents.MAX_BYTES + 64 * 1024, _may_upload)
@login_required
def record_accreditation():
    organisation, membership = _staff(admin=True)
    elections = services.elections()
    form = AccreditationForm()
    form.election.choices = _election_choices(elections)
    if not form.validate():
        return _papers_page(organisation, membership, accreditation_form=form, status=400)
    return _keep_upload(
        form.scan,
        lambda: services.record_accreditation(
            organisation.id,
            form.election.data,
            form.number.data,
            form.decided_on.data,
            form.commission.data,
            _read_upload(form.scan.data),
            current_user.id,
        ),
        lambda: _papers_page(organisation, membership, accreditation_form=form, status=400),
        _("The accreditation is recorded."),
    )


@bp.post("/organisation/papers/documents")
@allows_upload(documents.MAX_BYTES + 64 * 1024, _may_upload)
@login_required
def upload_document():
    organisation, membership = _staff(admin=True)
    form = DocumentForm()
    if not form.validate():
        return _papers_page(organisation, membership, document_form=form, status=400)
    return _keep_upload(
        form.file,
        lambda: services.upload_document(
            organisation.id, form.kind.data, _read_upload(form.file.data), current_user.id
        ),
        lambda: _papers_page(organisation, membership, document_form=form, status=400),
        _("The document is uploaded."),
    )


def _keep_upload(field, keep, refused_page, done: str):
    """Keep a checked PDF and go back to the papers, or show the form again saying why
    the file was refused (nothing kept)."""
    try:
        keep()
    except services.DocumentError as e:
        db.session.rollback()
        field.errors = [document_error_message(e.reason)]
        return refused_page()
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(".papers"), 303)


@bp.get("/organisation/papers/documents/<kind>.pdf")
@login_required
def document_pdf(kind: str):
    organisation, _member = _staff()
    found = services.organisation_document(organisation.id, kind)
    return _pdf(found.pdf if found else None, f"{kind}.pdf")


@bp.get("/organisation/papers/accreditation/<int:election_id>.pdf")
@login_required
def accreditation_pdf(election_id: int):
    organisation, _member = _staff()
    found = services.accreditation(organisation.id, election_id)
    return _pdf(found.scan if found else None, f"accreditation-{election_id}.pdf")


def _pdf(data: bytes | None, name: str):
    """A PDF of the person's own, kept from caches; 404 when there is none to give."""
    if data is None:
        abort(404)
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- observers at stations


def _station_page(
    organisation, membership, election, one=None, upload=None, problems=(), status=200
):
    course = current_course()
    one = one or AssignmentForm()
    one.observer.choices = _observer_choices(organisation, course)
    return (
        render_template(
            "campaigns/stations.html",
            organisation=organisation,
            election=election,
            may_change=membership.role == "admin",
            assigned=services.assigned_observers(organisation, election.id, course),
            one=one,
            upload=upload or AssignmentsFileForm(),
            problems=[(p.row, assignment_problem(p.reason)) for p in problems],
            display_code=certificates.display_code,
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
    organisation, membership = _staff()
    return _station_page(organisation, membership, _election_or_404(election_id))


@bp.post("/organisation/papers/stations/<int:election_id>/assign")
@login_required
def assign(election_id: int):
    organisation, membership = _staff(admin=True)
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
    organisation, membership = _staff(admin=True)
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


# ---------------------------------------------------------------- the observer's packet


@bp.get("/organisation/papers/stations/<int:election_id>/packets/<int:user_id>.pdf")
@login_required
def observer_packet(election_id: int, user_id: int):
    organisation, _member = _staff()
    made = services.observer_packet(organisation, election_id, user_id, current_course())
    return _pdf(made, f"packet-{election_id}-{user_id}.pdf")


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
    return _pdf(made, f"packet-{election_id}.pdf")
