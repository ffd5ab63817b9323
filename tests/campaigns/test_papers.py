"""An organisation's papers for its observers: its accreditation for each election (with a
scan of the decision) and its Charter extract and head's powers document, each a PDF
checked by its content and size; only its administrators change them, its staff read them,
and no other organisation sees them."""

from __future__ import annotations

import html
import io
from datetime import UTC, date, datetime, timedelta

import pypdf
import pytest
from fpdf import FPDF
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from course.core.db import db
from course.modules.campaigns import documents, services
from course.modules.campaigns.models import Accreditation, OrganisationDocument
from course.modules.organisations import services as organisations
from course.modules.organisations.models import Organisation
from course.modules.security import services as security
from tests.support.clients import client_for
from tests.support.documents import real_pdf
from tests.support.i18n import html_lang, t
from tests.support.organisations import application, valid_bin


def upload(client, lang, path, fields, name, data):
    # Built and closed here: Werkzeug spools a body this large to a temporary file, which
    # the test client would leave open.
    builder = EnvironBuilder(
        path=f"/{lang}/organisation/papers/{path}",
        method="POST",
        data={**fields, name: (io.BytesIO(data), "paper.pdf")},
        content_type="multipart/form-data",
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


@pytest.fixture
def election(app):
    with app.app_context():
        made = services.record(
            "kurultai", date(2026, 8, 23), "Құрылтай сайлауы", "Выборы в Курултай", None
        )
        db.session.commit()
        return made.id


def accreditation_fields(election_id: int, **extra) -> dict:
    return {
        "election": str(election_id),
        "number": "ОБ-17/2026",
        "decided_on": "2026-07-15",
        "commission": "Орталық сайлау комиссиясы",
        **extra,
    }


def test_an_organisation_admin_records_its_accreditation_and_documents(app, org, election, lang):
    client = org["client"]
    page = client.get(f"/{lang}/organisation/papers")
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    assert html_lang(text) == lang
    assert t(app, lang, "not recorded") in text
    assert "Құрылтай сайлауы" in text or "Выборы в Курултай" in text

    scan = real_pdf("Accreditation decision", pages=2)
    response = upload(client, lang, "accreditation", accreditation_fields(election), "scan", scan)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    for kind in services.DOCUMENT_KINDS:
        response = upload(client, lang, "documents", {"kind": kind}, "file", real_pdf(kind))
        assert response.status_code == 303

    text = html.unescape(client.get(f"/{lang}/organisation/papers").get_data(as_text=True))
    assert "ОБ-17/2026" in text
    assert t(app, lang, "not uploaded") not in text
    stored = client.get(f"/{lang}/organisation/papers/accreditation/{election}.pdf")
    assert stored.status_code == 200
    assert stored.headers["Content-Type"] == "application/pdf"
    assert stored.data == scan
    assert len(pypdf.PdfReader(io.BytesIO(stored.data)).pages) == 2
    charter = client.get(f"/{lang}/organisation/papers/documents/charter_extract.pdf")
    assert charter.data == real_pdf("charter_extract")

    # Correcting the accreditation and uploading a document again replace them: one each.
    corrected = accreditation_fields(election, number="ОБ-18/2026")
    assert upload(client, lang, "accreditation", corrected, "scan", scan).status_code == 303
    assert (
        upload(
            client, lang, "documents", {"kind": "head_powers"}, "file", real_pdf("new")
        ).status_code
        == 303
    )
    with app.app_context():
        [accreditation] = db.session.scalars(select(Accreditation)).all()
        assert accreditation.number == "ОБ-18/2026"
        assert db.session.scalar(select(func.count()).select_from(OrganisationDocument)) == 2
        assert services.organisation_document(org["id"], "head_powers").pdf == real_pdf("new")
        kinds = [e.kind for e in security.events(security.Filter())]
        assert kinds.count("accreditation_recorded") == 2
        assert kinds.count("organisation_document_uploaded") == 3


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "The file is empty."),
        (b"MZ\x90\x00 an executable named paper.pdf", "The file is not a PDF document."),
        (None, "The PDF cannot be read: it may be damaged. Save it again and upload it."),
        (b"%PDF-" + b"0" * (documents.MAX_BYTES), "The file is too large: the limit is %(mb)s MB."),
    ],
    ids=["empty", "not-a-pdf", "cut-short", "too-large"],
)
def test_a_bad_file_is_refused_in_the_page_language_and_nothing_kept(
    app, org, election, lang, data, reason
):
    if data is None:
        whole = real_pdf()
        data = whole[: len(whole) // 2]
    client = org["client"]
    for path, fields, name in (
        ("accreditation", accreditation_fields(election), "scan"),
        ("documents", {"kind": "charter_extract"}, "file"),
    ):
        response = upload(client, lang, path, fields, name, data)
        assert response.status_code == 400
        page = html.unescape(response.get_data(as_text=True))
        assert html_lang(page) == lang
        expected = t(app, lang, reason)
        if "%(mb)s" in reason:
            expected = expected % {"mb": documents.MAX_BYTES // (1024 * 1024)}
        assert expected in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Accreditation)) == 0
        assert db.session.scalar(select(func.count()).select_from(OrganisationDocument)) == 0


def test_a_password_protected_pdf_is_refused(app, org, election):
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("helvetica")
    pdf.cell(text="locked")
    response = upload(
        org["client"], "ru", "documents", {"kind": "head_powers"}, "file", bytes(pdf.output())
    )
    assert response.status_code == 400
    assert t(app, "ru", "The PDF is protected by a password: upload it without one.") in (
        html.unescape(response.get_data(as_text=True))
    )


def test_a_wrong_accreditation_form_says_what_to_fix(app, org, election, lang):
    tomorrow = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()
    response = upload(
        org["client"],
        lang,
        "accreditation",
        accreditation_fields(election, number=" ", decided_on=tomorrow, election="999999"),
        "scan",
        real_pdf(),
    )
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert t(app, lang, "Give the decision's number.") in page
    assert t(app, lang, "The decision's date cannot be in the future.") in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Accreditation)) == 0


def test_staff_read_the_papers_admins_change_them_other_organisations_see_nothing(
    app, org, election
):
    assert (
        upload(
            org["client"], "kk", "documents", {"kind": "charter_extract"}, "file", real_pdf()
        ).status_code
        == 303
    )
    verifier, verifier_id, _ = client_for(app)
    with app.app_context():
        organisations.add_member(db.session.get(Organisation, org["id"]), verifier_id, "verifier")
        db.session.commit()
    page = verifier.get("/kk/organisation/papers")
    assert page.status_code == 200
    assert t(app, "kk", "Only the organisation's administrators can change these papers.") in (
        html.unescape(page.get_data(as_text=True))
    )
    assert verifier.get("/kk/organisation/papers/documents/charter_extract.pdf").status_code == 200
    refused = upload(verifier, "kk", "documents", {"kind": "head_powers"}, "file", real_pdf())
    assert refused.status_code in (403, 413)

    # Another approved organisation: its own (empty) papers, never the first one's.
    other, _other_id, _ = client_for(app)
    assert (
        other.post(
            "/kk/organisations/apply",
            data=application(valid_bin("9001014"), name_ru="Другая", name_kk="Басқа"),
        ).status_code
        == 302
    )
    with app.app_context():
        pending = organisations.pending()[0]
    assert (
        org["admin"]
        .post("/kk/admin/organisations", data={"organisation": pending.id, "action": "approve"})
        .status_code
        == 302
    )
    assert other.get("/kk/organisation/papers/documents/charter_extract.pdf").status_code == 404
    assert other.get(f"/kk/organisation/papers/accreditation/{election}.pdf").status_code == 404
    # Someone with no organisation at all.
    learner, _, _ = client_for(app)
    assert learner.get("/kk/organisation/papers").status_code == 403


def test_a_large_body_is_refused_before_it_is_read_for_anyone_but_an_organisation_admin(
    app, org, election
):
    big = real_pdf() + b"\n%" + b"0" * (400 * 1024)  # a valid PDF with trailing padding
    learner, _, _ = client_for(app)
    response = upload(learner, "kk", "documents", {"kind": "charter_extract"}, "file", big)
    assert response.status_code == 413
    response = upload(org["client"], "kk", "documents", {"kind": "charter_extract"}, "file", big)
    assert response.status_code == 303
