"""Offline pages without a browser: the verifier's page and settings, the manifest, the
pocket reference and its A6 PDF, the service worker per edition, and the install size."""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from course.config import PROJECT_ROOT
from course.core.content import load_course
from course.core.content.published import current_course
from course.core.content.records import EditionRecord
from course.modules.certificates import services as certificates
from course.modules.offline import pdf, services
from tests.support.app import FIXTURE_CONTENT
from tests.support.i18n import html_lang, t

A6 = (round(105 / 25.4 * 72, 1), round(148 / 25.4 * 72, 1))


def config_of(page: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="verifier-config">(.*?)</script>', page, re.S
    )
    return json.loads(match.group(1))


def test_the_verifier_page_pins_the_root_key_and_speaks_the_page_language(app, client, lang):
    page = client.get(f"/{lang}/check").get_data(as_text=True)
    assert html_lang(page) == lang
    config = config_of(page)
    with app.app_context():
        assert config["rootKey"] == certificates.root_key()
        assert certificates.root_fingerprint() in page
    assert config["keysUrl"] == "/.well-known/course-keys.json"
    assert config["statusUrl"] == "/status/1"
    assert config["freshDays"] == 7
    assert config["electionDayHours"] == 24
    assert config["texts"]["compareName"] == t(
        app, lang, "Compare the name with the identity document."
    )
    assert config["texts"]["headlines"]["stale"] == t(
        app, lang, "Signature valid, but the data is out of date"
    )
    assert 'rel="manifest"' in page


def test_election_days_reach_the_verifier_and_a_bad_one_stops_the_app(make_app):
    app = make_app(COURSE_ELECTION_DAYS="2027-03-19, 2027-03-20")
    page = app.test_client().get("/kk/check").get_data(as_text=True)
    assert config_of(page)["electionDays"] == ["2027-03-19", "2027-03-20"]
    with pytest.raises(RuntimeError, match="COURSE_ELECTION_DAYS"):
        make_app(COURSE_ELECTION_DAYS="19.03.2027")


def test_the_manifest_makes_it_installable(app, client, lang):
    response = client.get(f"/{lang}/check/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["name"] == t(app, lang, "Certificate check")
    assert manifest["start_url"] == f"/{lang}/check"
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as image:
            assert image.status_code == 200
            assert image.mimetype == "image/png"


def test_the_pocket_reference_page_shows_the_edition_and_its_law_date(app, client, lang):
    page = client.get(f"/{lang}/pocket").get_data(as_text=True)
    assert html_lang(page) == lang
    heading = {"kk": "Құқықтар", "ru": "Права"}[lang]
    assert f"<h2>{heading}</h2>" in page
    with app.test_request_context(f"/{lang}/"):
        line = services.edition_line(current_course(), lang)
    assert line in page
    assert "3" in line
    assert t(app, lang, "Printable booklet (A6, PDF)") in page


def test_the_pocket_booklet_is_an_a6_pdf_with_searchable_text(client, lang):
    response = client.get(f"/{lang}/pocket.pdf")
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == A6
    text = "".join(p.extract_text() for p in reader.pages)
    if lang == "kk":
        assert "Дауыс беруді және санауды" in text
        assert all(letter in text for letter in "ӘҒҚҢӨҰҮҺІ")
    else:
        assert "Наблюдать за голосованием" in text.replace("\n", " ")


def test_the_service_worker_belongs_to_the_published_edition(make_app, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    app = make_app(CONTENT_DIR=str(content))
    client = app.test_client()
    response = client.get("/sw.js")
    script = response.get_data(as_text=True)
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "const EDITION = 3;" in script
    for url in (
        "/kk/check",
        "/ru/check",
        "/kk/pocket",
        "/ru/pocket",
        "/kk/offline",
        "/offline/static/check.js",
        "/offline/static/verify.js",
        "/offline/static/vendor/noble-ed25519.js",
    ):
        assert f'"{url}"' in script
    with app.app_context():
        from course.core.content.published import editions

        editions().publish(EditionRecord(4, editions().current().published))
    script = client.get("/sw.js").get_data(as_text=True)
    # A new edition is a new worker, whose lesson cache replaces the old one.
    assert "const EDITION = 4;" in script


def test_the_installed_verifier_with_its_data_is_under_300_kb(app, client):
    """What the service worker keeps for one language, plus the two signed lists."""
    with app.test_request_context("/kk/"):
        urls = services.precache_urls(("kk",), current_course())
    urls += ["/.well-known/course-keys.json", "/status/1"]
    total = 0
    for url in urls:
        with client.get(url) as response:
            assert response.status_code == 200, url
            total += len(response.data)
    assert total < 300 * 1024, total


def test_every_character_of_the_pocket_reference_is_in_the_pdf_font():
    course = load_course(PROJECT_ROOT / "content")
    font = TTFont(PROJECT_ROOT / "course/static/fonts/DejaVuSans-subset.ttf")
    covered = set(font.getBestCmap())
    for lang in ("kk", "ru"):
        text = course.pocket.title[lang] + course.pocket.body[lang]
        missing = {ch for ch in text if ch not in "\n" and ord(ch) not in covered}
        assert not missing, (lang, missing)
        sections = course.pocket.sections(lang)
        assert len(sections) == 6
        booklet = pdf.Booklet(
            lang, course.title[lang], course.pocket.title[lang], "—", sections, "—"
        )
        reader = PdfReader(io.BytesIO(pdf.render(booklet)))
        assert 2 <= len(reader.pages) <= 16
        assert sections[-1][0] in "".join(p.extract_text() for p in reader.pages).replace("\n", " ")


def test_the_status_list_stays_small_for_a_million_certificates():
    from course.modules.certificates import statuslist

    encoded = statuslist.encode(set(range(0, 1_000_000, 1000)), size=1_000_000)
    assert len(gzip.compress(encoded.encode())) < 4 * 1024


def test_quiz_pages_say_they_need_a_connection(app, signed_in, lang):
    for path in ("alpha/first", "alpha/second", "beta/only"):
        signed_in.post(f"/{lang}/learn/{path}/read")
    page = signed_in.get(f"/{lang}/quiz/alpha/").get_data(as_text=True)
    assert (
        t(
            app,
            lang,
            "Quizzes need a connection: answers are checked on the server, "
            "and the answer key never leaves it.",
        )
        in page
    )


def test_a_course_without_a_pocket_reference_still_installs_the_verifier(make_app, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    for lang in ("kk", "ru"):
        (content / lang / "pocket.md").unlink()
    client = make_app(CONTENT_DIR=str(content)).test_client()
    assert client.get("/kk/pocket").status_code == 404
    script = client.get("/sw.js").get_data(as_text=True)
    assert '"/kk/check"' in script
    assert "/pocket" not in script


def worker_list(script: str, name: str) -> list[str]:
    return json.loads(re.search(rf"^const {name} = (.*);$", script, re.M).group(1))


def test_the_service_worker_has_the_servers_list_of_online_only_pages(client):
    script = client.get("/sw.js").get_data(as_text=True)
    online_only = worker_list(script, "ONLINE_ONLY")
    for lang in ("kk", "ru"):
        # The final exam too: its page shows the offline page, not the browser's error.
        assert {f"/{lang}/quiz/", f"/{lang}/final-exam/", f"/{lang}/attempts/"} <= set(online_only)
    assert worker_list(script, "STATIC") == ["/static/", "/offline/static/"]


def test_the_commission_page_is_kept_for_use_without_a_network(client):
    script = client.get("/sw.js").get_data(as_text=True)
    precache = worker_list(script, "PRECACHE")
    for lang in ("kk", "ru"):
        assert f"/{lang}/for/commissions" in precache
        assert client.get(f"/{lang}/for/commissions").status_code == 200  # addAll needs it


def test_the_verifier_is_es_modules_kept_with_its_area(app, client):
    """Every script of the verifier is in the worker's cache: one missing import would
    leave the whole page dead offline."""
    folder = PROJECT_ROOT / "course/modules/offline/static"
    script = client.get("/sw.js").get_data(as_text=True)
    precache = set(worker_list(script, "PRECACHE"))
    for path in folder.rglob("*.js"):
        url = "/offline/static/" + path.relative_to(folder).as_posix()
        assert url in precache
        with client.get(url) as response:
            assert response.status_code == 200, url
            # A module script needs a JavaScript type (Python's older tables say application/).
            assert response.mimetype in ("text/javascript", "application/javascript"), url
    assert (folder / "vendor/noble-ed25519.LICENSE").exists()  # kept next to the library
    page = client.get("/kk/check").get_data(as_text=True)
    # The entry module by its content hash (a year in caches); its imports by plain name.
    assert re.search(
        r'<script type="module" src="/offline/static/check\.js\?v=[0-9a-f]{16}"></script>', page
    )
    for name in ("encoding", "cbor", "proofs", "verify", "check"):
        source = (folder / f"{name}.js").read_text(encoding="utf-8")
        # No test hooks on window, no `throw 0`: errors are Error objects.
        assert "window.courseVerifier" not in source, name
        assert not re.search(r"\bthrow\s+[-0-9'\"`]", source), name
    for name in ("encoding", "cbor", "proofs", "verify"):
        source = (folder / f"{name}.js").read_text(encoding="utf-8")
        # Pure: what runs the shared test vectors never touches the page or its storage.
        assert not re.search(r"\b(document|window|localStorage|navigator)\.|Date\.now\(", source), (
            name
        )
