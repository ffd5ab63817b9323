"""Issue 17's "done when", through the pages as a new organisation finds them, in each
language, with no URL given but the landing page's: it applies, is approved, records its
accreditation for an election and uploads its papers, assigns three observers from a CSV
with one malformed row (reported, the rest kept), downloads every packet (both languages,
the names with Kazakh letters, the station, the code, a QR that decodes at 150 dpi); then a
new edition supersedes the certificates, an observer follows the mailed link, passes the
refresher and holds a certificate of the new edition."""

from __future__ import annotations

import html
import io
import re
import zipfile

import pypdf
import pytest
from werkzeug.datastructures import MultiDict

from course.core.content.published import course_edition
from course.modules.accounts import services as accounts
from course.modules.certificates import services as certificates
from course.modules.certificates import verification
from course.modules.organisations import services as organisations
from course.modules.quizzes import services as quizzes
from tests.campaigns.test_papers import upload
from tests.refreshers.test_refreshers import SUBJECT, publish_change_to_alpha
from tests.support.app import FIXTURE_CONTENT
from tests.support.certificates import pass_course
from tests.support.clients import client_for, sign_in
from tests.support.documents import real_pdf
from tests.support.factories import PASSWORD
from tests.support.i18n import t
from tests.support.mail import link_path, outbox
from tests.support.organisations import application, valid_bin
from tests.support.quizzes import answers_for, form_for

pytestmark = pytest.mark.slow

OBSERVERS = ("Әлия Қасымқызы Нұрғалиева", "Ұлан Өмірұлы Жақсыбеков", "Ирина Петровна Ким")


@pytest.fixture
def app(make_app, tmp_path):
    import shutil

    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)  # a new edition is published: never the fixture
    return make_app(CONTENT_DIR=str(content))


def follow(client, page: str, text: str) -> tuple[str, str]:
    """The page behind the link whose text is `text` (its path and its HTML)."""
    for href, inner in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', page, re.S):
        if html.unescape(re.sub(r"<[^>]+>", "", inner)).strip() == text:
            path = html.unescape(href)
            response = client.get(path)
            assert response.status_code == 200, path
            return path, response.get_data(as_text=True)
    raise AssertionError(f"no link {text!r} on the page")


def test_a_new_organisation_prints_packets_and_a_superseded_observer_is_refreshed(app, lang):
    head, _head_id, _ = client_for(app, full_name="Айгүл Серікқызы Сәтбаева")
    landing = head.get(f"/{lang}/").get_data(as_text=True)
    _path, for_organisations = follow(head, landing, t(app, lang, "For organisations"))
    apply_path, _form = follow(head, for_organisations, t(app, lang, "Register an organisation"))
    assert head.post(apply_path, data=application(valid_bin("9001013"))).status_code == 302

    admin, _admin_id, _ = client_for(app, role="admin")
    with app.app_context():
        organisation_id = organisations.pending()[0].id
    decided = admin.post(
        f"/{lang}/admin/organisations", data={"organisation": organisation_id, "action": "approve"}
    )
    assert decided.status_code == 302
    election = {
        "kind": "kurultai",
        "day": "2027-03-21",
        "name_kk": "Құрылтай депутаттарының сайлауы",
        "name_ru": "Выборы депутатов Курултая",
    }
    assert admin.post(f"/{lang}/admin/elections", data=election).status_code == 303

    # Three learners who completed the course ask to observe for it; the head confirms them.
    codes = []
    for number, name in enumerate(OBSERVERS):
        client, user_id, _email = client_for(app, full_name=name, locale=("kk", "ru")[number % 2])
        with app.app_context():
            pass_course(user_id)
            codes.append(certificates.display_code(certificates.current_certificate(user_id).code))
        client.post(
            f"/{lang}/my-organisation", data={"action": "request", "organisation": organisation_id}
        )
    with app.app_context():
        links = [link.id for link, _u in organisations.requests(organisations.get(organisation_id))]
    for link in links:
        confirm = {"action": "confirm", "link": link}
        assert head.post(f"/{lang}/organisation/", data=confirm).status_code in (302, 303)

    # From the organisation's page to its papers, with no URL typed.
    _p, for_organisations = follow(head, head.get(f"/{lang}/").get_data(as_text=True),
                                   t(app, lang, "For organisations"))  # fmt: skip
    _p, dashboard = follow(head, for_organisations, t(app, lang, "the organisation's page"))
    _p, papers = follow(
        head, dashboard, t(app, lang, "Accreditations and documents for observers' papers")
    )
    election_id = int(re.search(r'name="election"[^>]*>\s*<option value="(\d+)"', papers).group(1))
    fields = {
        "election": str(election_id),
        "number": "ОБ-21/2027",
        "decided_on": "2026-11-20",
        "commission": "Орталық сайлау комиссиясы",
    }
    scan = real_pdf("Accreditation decision", pages=1)
    assert upload(head, lang, "accreditation", fields, "scan", scan).status_code == 303
    for kind in ("charter_extract", "head_powers"):
        assert (
            upload(head, lang, "documents", {"kind": kind}, "file", real_pdf(kind)).status_code
            == 303
        )
    papers = head.get(f"/{lang}/organisation/papers").get_data(as_text=True)
    _p, stations = follow(head, papers, t(app, lang, "Observers at polling stations"))

    rows = "".join(f"{code},{101 + i},«Астана, Мәңгілік Ел 8»\n" for i, code in enumerate(codes))
    rows = rows.replace("«", '"').replace("»", '"') + "жоқ-код,104\n"
    sent = head.post(
        f"/{lang}/organisation/papers/stations/{election_id}/import",
        data={"file": (io.BytesIO(rows.encode("utf-8-sig")), "stations.csv")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 200  # the page itself, naming the bad row
    listed = html.unescape(sent.get_data(as_text=True))
    assert t(app, lang, "Row %(row)s") % {"row": 4} in listed
    for name in OBSERVERS:
        assert name in listed

    stations = head.get(f"/{lang}/organisation/papers/stations/{election_id}").get_data(
        as_text=True
    )
    download = re.search(r'href="([^"]+packets-1\.zip)"', stations).group(1)
    archive = zipfile.ZipFile(io.BytesIO(head.get(download).data))
    assert len(archive.namelist()) == 3
    first = pypdf.PdfReader(io.BytesIO(archive.read(f"101 {OBSERVERS[0]}.pdf")))
    kk, ru = first.pages[0].extract_text(), first.pages[1].extract_text()
    assert t(app, "kk", "REFERRAL OF AN OBSERVER") in kk
    assert t(app, "ru", "REFERRAL OF AN OBSERVER") in ru
    for text in (kk, ru):
        assert OBSERVERS[0] in text
        assert "101" in text
        assert codes[0] in text
    writer = pypdf.PdfWriter()
    writer.add_page(first.pages[2])  # the certificate, after the two letters
    out = io.BytesIO()
    writer.write(out)
    qr = verification.qr_text_from_pdf(out.getvalue(), dpi=150)
    with app.app_context():
        assert qr == certificates.find(codes[0].replace("-", "")).qr_text

    # A new edition supersedes the certificates: the second observer (Russian) is mailed.
    before = len(outbox(app))
    edition = publish_change_to_alpha(app, lang)
    mails = [m for m in outbox(app)[before:] if m["Subject"] == t(app, "ru", SUBJECT)]
    [mail] = [m for m in mails if codes[1] in m.get_content()]
    observer = app.test_client()
    sign_in(observer, mail["To"], PASSWORD, "ru")
    refresher = observer.get(link_path(mail)).get_data(as_text=True)
    lesson_links = re.findall(r'href="(/ru/refresher/[^"/]+/[^"]+)"', refresher)
    assert lesson_links
    for path in lesson_links:
        assert observer.post(path + "/read").status_code == 303
    started = observer.post("/ru/refresher/start")
    public_id = started.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        user_id = accounts.find_by_email(mail["To"]).id
        attempt = quizzes.get_attempt(public_id, user_id)
        course = course_edition(attempt.edition)
        answers = form_for(attempt, course, app.config["SECRET_KEY"], answers_for(attempt, course))
    assert observer.post(f"/ru/attempts/{public_id}", data=MultiDict(answers)).status_code == 303
    with app.app_context():
        new = certificates.current_certificate(user_id)
        assert new.edition == edition
        old = certificates.public_status(codes[1].replace("-", ""), course)
        assert (old.status, old.replaced_by) == ("replaced", new.code)
    after = head.get(f"/{lang}/organisation/papers/stations/{election_id}").get_data(as_text=True)
    assert certificates.display_code(new.code) in after
