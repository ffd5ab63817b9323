"""An organisation assigns its confirmed observers to polling stations for an election, one
by one or from a CSV file (`iin_or_code,station,address[,coordinator]`, UTF-8 with or
without a BOM, commas or semicolons); every good row is assigned and each bad row left out,
named by its number; the list flags observers without a valid current certificate."""

from __future__ import annotations

import html
import io
from datetime import date

import pypdf
import pytest
from sqlalchemy import func, select

from course.core.db import db
from course.modules.accounts.models import User
from course.modules.campaigns import services
from course.modules.campaigns.models import Assignment
from course.modules.certificates import services as certificates
from course.modules.certificates import verification
from course.modules.organisations import services as organisations
from course.modules.organisations.models import Organisation
from tests.campaigns.test_papers import upload
from tests.support import factories
from tests.support.certificates import complete_course
from tests.support.clients import sign_in
from tests.support.documents import real_pdf
from tests.support.i18n import html_lang, t

IIN = "900101300017"  # a valid IIN (its check digit holds), invented


@pytest.fixture
def campaign(app, org):
    """A recorded election and three confirmed observers of `org`: Асель holds a valid
    certificate with her IIN recorded, Борис holds a revoked one, Гульнар has none."""
    with app.app_context():
        election = services.record("kurultai", date(2026, 8, 23), "Құрылтай", "Курултай", None)
        organisation = db.session.get(Organisation, org["id"])
        asel = complete_course(full_name="Асель Нұрланқызы Серікова")
        boris = complete_course(full_name="Борис Иванович Ким")
        gulnar = factories.make_user(full_name="Гүлнар Маратқызы Әлиева").id
        for user_id in (asel, boris, gulnar):
            link = organisations.request_link(user_id, organisation.id)
            organisations.decide_link(organisation, link.id, True)
        asel_certificate = certificates.current_certificate(asel)
        certificates.set_identity(asel_certificate, IIN, private_mode=False)
        boris_certificate = certificates.current_certificate(boris)
        certificates.revoke(boris_certificate, boris, "holder_request", "")
        db.session.commit()
        return {
            "election": election.id,
            "asel": asel,
            "boris": boris,
            "gulnar": gulnar,
            "asel_code": certificates.display_code(asel_certificate.code),
            "boris_code": certificates.display_code(boris_certificate.code),
        }


def _csv(client, lang, election_id, text, encoding="utf-8"):
    return client.post(
        f"/{lang}/organisation/papers/stations/{election_id}/import",
        data={"file": (io.BytesIO(text.encode(encoding)), "stations.csv")},
        content_type="multipart/form-data",
    )


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Assignment))


def test_a_csv_with_a_bom_and_semicolons_assigns_by_iin_and_by_code(app, org, campaign, lang):
    text = (
        "iin_or_code;station;address;coordinator\n"
        f"{IIN};101;Астана, Абай даңғылы, 10;Әлия Қасымова\n"
        f"{campaign['boris_code']};102;Астана, Республика даңғылы, 5\n"
    )
    response = _csv(org["client"], lang, campaign["election"], text, encoding="utf-8-sig")
    assert response.status_code == 303, html.unescape(response.get_data(as_text=True))[-2000:]
    page = html.unescape(org["client"].get(response.headers["Location"]).get_data(as_text=True))
    assert html_lang(page) == lang
    assert "Асель Нұрланқызы Серікова" in page
    assert "Астана, Абай даңғылы, 10" in page
    assert "Әлия Қасымова" in page
    # Борис's certificate is revoked: flagged, as not ready for the station.
    assert t(app, lang, "certificate revoked") in page
    with app.app_context():
        rows = services.assigned_observers(
            db.session.get(Organisation, org["id"]), campaign["election"], _course()
        )
    assert [(r.station, r.user_id, r.flagged) for r in rows] == [
        ("101", campaign["asel"], False),
        ("102", campaign["boris"], True),
    ]
    # The same file again moves no one and adds no one.
    assert _csv(org["client"], lang, campaign["election"], text).status_code == 303
    assert _count(app) == 2


def _course():
    from course.core.content.published import current_course

    return current_course()


def test_bad_rows_are_left_out_by_number_and_the_good_ones_assigned(app, org, campaign, lang):
    text = (
        f"{campaign['asel_code']},101,Астана\n"  # 1: assigned
        "900101300018,102,Астана\n"  # 2: the IIN's check digit is wrong
        "ABCD-EFGH-JKMN-P,103,Астана\n"  # 3: nobody of ours
        f"{campaign['boris_code']},,Астана\n"  # 4: no station
        f"{campaign['asel_code']},104,Астана\n"  # 5: Асель twice
        "only,two\n"  # 6: wrong number of fields
    )
    response = _csv(org["client"], lang, campaign["election"], text)
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    expected = {
        2: "The IIN's check digit is wrong: check for a typing error.",
        3: "No confirmed observer of your organisation has this certificate code or IIN.",
        4: "Give the polling station's number (up to 20 characters).",
        5: "This observer is in the file already.",
        6: "The row must have 3 or 4 fields: iin_or_code, station, address, coordinator.",
    }
    for row, message in expected.items():
        assert f"{t(app, lang, 'Row %(row)s') % {'row': row}}: {t(app, lang, message)}" in page
    assert f"{t(app, lang, 'Row %(row)s') % {'row': 1}}:" not in page
    assert (
        t(app, lang, "These rows were not assigned. Fix them and upload just these rows again:")
        in page
    )
    with app.app_context():
        [kept] = db.session.scalars(select(Assignment)).all()
        assert (kept.user_id, kept.station) == (campaign["asel"], "101")
    # A file with no good row at all keeps nothing and says so with a 400.
    refused = _csv(org["client"], lang, campaign["election"], "only,two\n")
    assert refused.status_code == 400
    assert _count(app) == 1


def test_one_by_one_an_observer_without_a_certificate_is_assigned_and_flagged(
    app, org, campaign, lang
):
    url = f"/{lang}/organisation/papers/stations/{campaign['election']}"
    response = org["client"].post(
        f"{url}/assign",
        data={"observer": campaign["gulnar"], "station": "7", "address": "Алматы, Сәтбаев к., 1"},
    )
    assert response.status_code == 303
    page = html.unescape(org["client"].get(url).get_data(as_text=True))
    assert t(app, lang, "no certificate") in page
    assert "Гүлнар Маратқызы Әлиева" in page
    # Someone who is not the organisation's observer cannot be chosen.
    with app.app_context():
        stranger = factories.make_user().id
        db.session.commit()
    refused = org["client"].post(
        f"{url}/assign", data={"observer": stranger, "station": "8", "address": "Алматы"}
    )
    assert refused.status_code == 400
    assert _count(app) == 1


def test_only_the_organisation_sees_and_changes_its_assignments(app, org, campaign):
    url = f"/kk/organisation/papers/stations/{campaign['election']}"
    learner = app.test_client()
    with app.app_context():
        person = factories.make_user()
        db.session.commit()
        email = person.email
    sign_in(learner, email, factories.PASSWORD)
    assert learner.get(url).status_code == 403
    assert _csv(learner, "kk", campaign["election"], "x,1,y\n").status_code == 403
    assert org["client"].get("/kk/organisation/papers/stations/999999").status_code == 404


def test_the_packet_is_one_pdf_with_the_letter_in_both_languages_and_every_paper(
    app, org, campaign
):
    client, election = org["client"], campaign["election"]
    scan = real_pdf("Accreditation decision", pages=2)
    fields = {
        "election": str(election),
        "number": "ОБ-17/2026",
        "decided_on": "2026-07-15",
        "commission": "Орталық сайлау комиссиясы",
    }
    assert upload(client, "kk", "accreditation", fields, "scan", scan).status_code == 303
    for kind in services.DOCUMENT_KINDS:
        assert (
            upload(client, "kk", "documents", {"kind": kind}, "file", real_pdf(kind)).status_code
            == 303
        )
    text = f'{campaign["asel_code"]},101,"Астана қ., Абай даңғылы 10",Әлия Қасымова\n'
    assert _csv(client, "kk", election, text).status_code == 303

    response = client.get(
        f"/kk/organisation/papers/stations/{election}/packets/{campaign['asel']}.pdf"
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    with app.app_context():
        certificate_pages = len(
            pypdf.PdfReader(
                io.BytesIO(certificates.current_certificate(campaign["asel"]).pdf)
            ).pages
        )
    # Two letters (kk, ru), the certificate, the two-page scan, the two documents.
    assert len(reader.pages) == 2 + certificate_pages + 2 + 1 + 1
    kk, ru = (reader.pages[i].extract_text() for i in (0, 1))
    for page in (kk, ru):
        assert "Асель Нұрланқызы Серікова" in page
        assert "101" in page
        assert "ОБ-17/2026" in page
        assert campaign["asel_code"] in page
        assert "Әлия Қасымова" in page
    assert t(app, "kk", "REFERRAL OF AN OBSERVER") in kk
    assert t(app, "ru", "REFERRAL OF AN OBSERVER") in ru
    assert "Қ" in kk  # Kazakh letters drawn, not dropped
    assert "ң" in kk
    assert reader.pages[2 + certificate_pages].extract_text().strip() == "Accreditation decision"
    # The certificate's QR, on the page after the letters, decodes at 150 dpi to its own text.
    certificate_page = pypdf.PdfWriter()
    certificate_page.add_page(reader.pages[2])
    out = io.BytesIO()
    certificate_page.write(out)
    with app.app_context():
        signed = certificates.current_certificate(campaign["asel"]).qr_text
    assert verification.qr_text_from_pdf(out.getvalue(), dpi=150) == signed

    # The observer downloads the same packet from their own account; nobody else can.
    observer = app.test_client()
    with app.app_context():
        email = db.session.get(User, campaign["asel"]).email
    sign_in(observer, email, factories.PASSWORD)
    mine = observer.get("/ru/my-packets")
    assert t(app, "ru", "Packet (PDF)") in html.unescape(mine.get_data(as_text=True))
    own = observer.get(f"/ru/my-packets/{election}.pdf")
    assert own.status_code == 200
    assert len(pypdf.PdfReader(io.BytesIO(own.data)).pages) == len(reader.pages)
    stranger = app.test_client()
    with app.app_context():
        someone = factories.make_user()
        db.session.commit()
        someone_email = someone.email
    sign_in(stranger, someone_email, factories.PASSWORD)
    assert stranger.get(f"/ru/my-packets/{election}.pdf").status_code == 404
    assert (
        client.get(
            f"/kk/organisation/papers/stations/{election}/packets/{campaign['gulnar']}.pdf"
        ).status_code
        == 404
    )  # Гүлнар is not assigned


def test_every_packet_of_an_election_comes_as_streamed_zip_parts(org, campaign, lang):
    """Three assigned observers, two packets a download: two parts, each a ZIP streamed as
    its packets are made, each PDF the observer's whole packet; a part past the last is
    404 and another organisation gets none."""
    import zipfile

    client, election = org["client"], campaign["election"]
    app = client.application
    app.config["PACKETS_PER_DOWNLOAD"] = 2
    rows = (
        f"{campaign['asel_code']},101,Астана қ.,\n"
        f"{campaign['boris_code']},102,Астана қ.,\n"
        f"{campaign['asel_code']},101,Астана қ.,\n"  # a duplicate row, left out
    )
    _csv(client, lang, election, rows)
    with app.app_context():
        organisation = db.session.get(Organisation, org["id"])
        services.assign(
            organisation, election, campaign["gulnar"], "103/1", "Қосшы", "", None, _course()
        )
        db.session.commit()
    page = html.unescape(
        client.get(f"/{lang}/organisation/papers/stations/{election}").get_data(as_text=True)
    )
    first = t(
        app,
        lang,
        "Part %(part)s of %(parts)s: stations %(first)s–%(last)s, %(count)s packets (ZIP)",
    )
    assert first % {"part": 1, "parts": 2, "first": "101", "last": "102", "count": 2} in page
    assert first % {"part": 2, "parts": 2, "first": "103/1", "last": "103/1", "count": 1} in page

    found = {}
    for part in (1, 2):
        response = client.get(f"/{lang}/organisation/papers/stations/{election}/packets-{part}.zip")
        assert response.status_code == 200
        assert response.is_streamed
        assert response.headers["Content-Type"] == "application/zip"
        assert f"-{part}-of-2.zip" in response.headers["Content-Disposition"]
        archive = zipfile.ZipFile(io.BytesIO(response.data))
        assert archive.testzip() is None
        for name in archive.namelist():
            found[name] = pypdf.PdfReader(io.BytesIO(archive.read(name)))
    assert sorted(found) == [
        "101 Асель Нұрланқызы Серікова.pdf",
        "102 Борис Иванович Ким.pdf",
        "103 1 Гүлнар Маратқызы Әлиева.pdf",  # a slash is no part of a file name
    ]
    asel = found["101 Асель Нұрланқызы Серікова.pdf"]
    assert "Асель Нұрланқызы Серікова" in asel.pages[0].extract_text()
    single = client.get(
        f"/{lang}/organisation/papers/stations/{election}/packets/{campaign['asel']}.pdf"
    )
    assert len(asel.pages) == len(pypdf.PdfReader(io.BytesIO(single.data)).pages)
    assert (
        "Гүлнар Маратқызы Әлиева"
        in found["103 1 Гүлнар Маратқызы Әлиева.pdf"].pages[1].extract_text()
    )

    missing = f"/{lang}/organisation/papers/stations/{election}/packets-3.zip"
    assert client.get(missing).status_code == 404
    assert client.get(missing.replace("packets-3", "packets-0")).status_code == 404
