"""An organisation's papers: its accreditation for each election (with a scan of the
decision) and its Charter extract and head's powers document, each a checked PDF."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from course.core.db import db
from course.core.i18n import _, current_language, format_date
from course.core.uploads import allows_upload
from course.modules.campaigns import documents, services
from course.modules.campaigns.forms import (
    AccreditationForm,
    DocumentForm,
    document_labels,
    kind_labels,
)
from course.modules.campaigns.views.blueprint import bp, membership, pdf_response, staff


def _may_upload() -> bool:
    return membership(admin=True) is not None


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
    organisation, membership = staff()
    return _papers_page(organisation, membership)


@bp.post("/organisation/papers/accreditation")
@allows_upload(documents.MAX_BYTES + 64 * 1024, _may_upload)
@login_required
def record_accreditation():
    organisation, membership = staff(admin=True)
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
    organisation, membership = staff(admin=True)
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
    organisation, _member = staff()
    found = services.organisation_document(organisation.id, kind)
    return pdf_response(found.pdf if found else None, f"{kind}.pdf")


@bp.get("/organisation/papers/accreditation/<int:election_id>.pdf")
@login_required
def accreditation_pdf(election_id: int):
    organisation, _member = staff()
    found = services.accreditation(organisation.id, election_id)
    return pdf_response(found.scan if found else None, f"accreditation-{election_id}.pdf")
