"""The offline verifier and pocket reference in a real browser (Chromium, phone-sized),
with the network really gone: genuine, tampered, revoked, stale; the pocket reference
and opened lessons offline; the log exported as CSV."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from babel.dates import format_date as babel_date

from course.core.content.editions import today_in
from course.core.db import db
from course.modules.certificates import services as certificates
from tests.offline.conftest import (
    WITHOUT_ED25519,
    engine,
    go_offline,
    wait_for_verifier,
    wait_until_installed,
)
from tests.support import factories
from tests.support.certificates import complete_course
from tests.support.i18n import t

IIN = "900101300017"


pytestmark = pytest.mark.browser  # drives Debian's Chromium


def issue(app, iin: str | None = None) -> dict:
    """A learner who completed the fixture course; their certificate's QR text and code."""
    with app.app_context():
        user_id = complete_course(full_name="Әсел Қайратқызы Нұрланова")
        certificate = certificates.current_certificate(user_id)
        if iin:
            certificates.set_identity(certificate, iin, False, offline_tag=True)
            db.session.commit()
        return {"qr": certificate.qr_text, "code": certificate.code, "id": certificate.id}


def open_verifier(page, live, lang: str) -> None:
    page.goto(f"{live.url}/{lang}/check")
    page.wait_for_selector('#data-state[data-state="fresh"]')
    wait_until_installed(page, f"/{lang}/check")


def verify(page, text: str, iin: str = "") -> tuple[str, str]:
    page.fill("#qr-text", text)
    page.fill("#iin", iin)
    page.evaluate("document.getElementById('verdict').hidden = true")
    page.click("#check-form button[type=submit]")
    page.wait_for_selector("#verdict:not([hidden])")
    return page.get_attribute("#verdict", "data-verdict"), page.inner_text("#verdict")


def tampered(qr: str) -> str:
    head, payload = qr.split("/V1/")
    i = len(payload) // 2
    swapped = "A" if payload[i] != "A" else "B"
    return f"{head}/V1/{payload[:i]}{swapped}{payload[i + 1 :]}"


def test_genuine_and_tampered_certificates_offline_in_kazakh(app, live, phone):
    cert = issue(live.app, IIN)
    page = phone.new_page()
    open_verifier(page, live, "kk")
    assert page.get_attribute("html", "lang") == "kk"
    go_offline(live, phone)
    page.reload()  # the verifier itself now comes from the service worker
    wait_for_verifier(page)
    assert not page.evaluate("navigator.onLine")
    verdict, text = verify(page, cert["qr"], IIN)
    assert verdict == "green", text
    assert "Әсел Қайратқызы Нұрланова" in text
    assert t(live.app, "kk", "Compare the name with the identity document.") in text
    # The signed completion date, written the Kazakh way (Babel's pattern, not the browser's).
    assert babel_date(today_in("Asia/Almaty"), "long", locale="kk") in text
    assert t(live.app, "kk", "IIN: consistent with the certificate.") in text
    assert engine(page, live) == "webcrypto"
    verdict, text = verify(page, cert["qr"], "900101330009")  # another valid IIN
    assert t(live.app, "kk", "IIN: NOT consistent with the certificate.") in text
    verdict, text = verify(page, cert["qr"], "900101300018")  # a check-digit typo
    assert (
        t(live.app, "kk", "The IIN is not valid: it needs 12 digits with a correct check digit.")
        in text
    )
    verdict, text = verify(page, tampered(cert["qr"]))
    assert verdict == "red", text
    assert "Нұрланова" not in text
    verdict, text = verify(page, "HTTP://127.0.0.1/V1/NOTACERTIFICATE")
    assert verdict == "red", text
    # A typed code cannot be checked offline, and the page says so.
    verdict, text = verify(
        page,
        cert["code"][:4]
        + "-"
        + cert["code"][4:8]
        + "-"
        + cert["code"][8:12]
        + "-"
        + cert["code"][12:],
    )
    assert verdict == "amber", text
    assert t(live.app, "kk", "A typed code can only be checked online.") in text
    # The log of checks exports as CSV; nothing was sent anywhere.
    with page.expect_download() as download:
        page.click("#export-log")
    rows = download.value.path().read_text("utf-8-sig").strip().splitlines()
    assert rows[0] == "time,code,verdict"
    assert len(rows) == 7
    assert any(f'"{cert["code"][:4]}-' in row and '"green"' in row for row in rows)
    assert any('"forged"' in row for row in rows)


def test_a_certificate_revoked_after_syncing_is_red_offline(app, live, phone):
    cert = issue(live.app)
    page = phone.new_page()
    open_verifier(page, live, "kk")
    assert verify(page, cert["qr"])[0] == "green"
    with live.app.app_context():
        certificate = certificates.find(cert["code"])
        admin = factories.make_user(role="admin")
        certificates.revoke(certificate, admin.id, certificates.REVOCATION_REASONS[0], "тест")
        db.session.commit()
    page.evaluate(
        "localStorage.setItem('synced-before',"
        " JSON.parse(localStorage.getItem('course.verifier.data.v1')).syncedAt)"
    )
    page.click("#sync")
    page.wait_for_function(
        """() => {
            const data = JSON.parse(localStorage.getItem('course.verifier.data.v1'));
            return data.syncedAt !== localStorage.getItem('synced-before');
        }"""
    )
    go_offline(live, phone)
    page.reload()
    wait_for_verifier(page)
    verdict, text = verify(page, cert["qr"])
    assert verdict == "red", text
    assert t(live.app, "kk", "Revoked") in text


def later(phone, url: str, delta: timedelta):
    """A new page of the (offline) verifier, with the browser's clock moved by `delta`."""
    page = phone.new_page()
    page.clock.install(time=datetime.now(UTC) + delta)
    page.goto(url)
    wait_for_verifier(page)
    return page


def test_data_older_than_seven_days_gives_amber(app, live, phone):
    cert = issue(live.app)
    open_verifier(phone.new_page(), live, "ru")
    go_offline(live, phone)
    # A day later, still without a network: fresh enough on an ordinary day.
    assert (
        verify(later(phone, f"{live.url}/ru/check", timedelta(hours=25)), cert["qr"])[0] == "green"
    )
    # Eight days later: the signature holds, but the revocation data is too old.
    page = later(phone, f"{live.url}/ru/check", timedelta(days=8))
    assert page.get_attribute("#data-state", "data-state") == "stale"
    verdict, text = verify(page, cert["qr"])
    assert verdict == "amber", text
    assert t(live.app, "ru", "Signature valid, but the data is out of date") in text
    assert "Әсел Қайратқызы Нұрланова" in text


@pytest.mark.parametrize("named_in", ["settings", "key list"])
def test_on_an_election_day_data_older_than_a_day_gives_amber(make_app, phone, named_in):
    """The days come with the page (COURSE_ELECTION_DAYS, recorded elections) or only in
    the root-signed key list the verifier keeps (signed after the page was made)."""
    from course.modules.certificates import services as certificates
    from tests.support.live import LiveServer, free_port

    port = free_port()
    today = datetime.now(UTC).date()
    days = [(today + timedelta(days=d)).isoformat() for d in (-1, 0, 1, 2)]
    app = make_app(
        LIVE_PORT=port,
        COURSE_BASE_URL=f"http://127.0.0.1:{port}",
        COURSE_ELECTION_DAYS=",".join(days) if named_in == "settings" else "",
    )
    live = LiveServer(app)
    try:
        cert = issue(app)
        if named_in == "key list":
            with app.app_context():
                assert certificates.publish_election_days(days)
        open_verifier(phone.new_page(), live, "kk")
        go_offline(live, phone)
        assert (
            verify(later(phone, f"{live.url}/kk/check", timedelta(hours=20)), cert["qr"])[0]
            == "green"
        )
        assert (
            verify(later(phone, f"{live.url}/kk/check", timedelta(hours=25)), cert["qr"])[0]
            == "amber"
        )
    finally:
        live.stop()


def test_the_fallback_library_verifies_the_same_way(app, live, phone):
    cert = issue(live.app)
    page = phone.new_page()
    open_verifier(page, live, "ru")
    go_offline(live, phone)
    # The noble-ed25519 path, as in a browser without Ed25519 in WebCrypto: the library
    # comes from the service worker's cache, like the rest of the verifier.
    page.add_init_script(WITHOUT_ED25519)
    page.reload()
    wait_for_verifier(page)
    verdict, text = verify(page, cert["qr"])
    assert verdict == "green", text
    assert engine(page, live) == "noble"
    verdict, text = verify(page, tampered(cert["qr"]))
    assert verdict == "red", text


def test_the_pocket_reference_opens_offline_in_both_languages(app, live, phone):
    page = phone.new_page()
    page.goto(f"{live.url}/ru/pocket")
    wait_until_installed(page, "/kk/pocket")
    go_offline(live, phone)
    for lang, title in (("ru", "Памятка наблюдателя"), ("kk", "Байқаушының қалта анықтамасы")):
        page.goto(f"http://127.0.0.1:{live.app.config['LIVE_PORT']}/{lang}/pocket")
        assert page.get_attribute("html", "lang") == lang
        assert page.inner_text("h1") == title
        assert "Edition 3" not in page.content()  # translated, not English
        assert re.search(r"\b3\b", page.inner_text(".pocket .muted"))


def test_opened_lessons_are_readable_offline_and_quizzes_say_they_need_a_network(app, live, phone):
    with live.app.app_context():
        user = factories.make_user()
        db.session.commit()
        email = user.email
    page = phone.new_page()
    page.goto(f"{live.url}/kk/sign-in")
    page.fill("#email", email)
    page.fill("#password", factories.PASSWORD)
    with page.expect_navigation():  # signed in before the next page is asked for
        page.click("main button[type=submit]")
    page.goto(f"{live.url}/kk/learn/alpha/first")
    wait_until_installed(page, "/kk/learn/alpha/first")
    go_offline(live, phone)
    page.goto(f"{live.url}/kk/learn/alpha/first")
    assert "Қазақ тіліндегі мәтін" in page.inner_text("main")
    page.goto(f"{live.url}/kk/learn/beta/only")  # never opened on this device
    assert t(live.app, "kk", "No connection") in page.inner_text("h1")
    # Quizzes, the final exam and attempts: the worker has the server's list of them.
    for path in ("/kk/quiz/alpha", "/kk/final-exam/", "/ru/final-exam/", "/kk/attempts/x"):
        page.goto(f"{live.url}{path}")
        assert t(live.app, path[1:3], "No connection") in page.inner_text("h1"), path


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_verifier_installs_as_an_app(app, live, phone, lang):
    page = phone.new_page()
    page.goto(f"{live.url}/{lang}/check")
    manifest = page.evaluate(
        "async () => (await fetch(document.querySelector('link[rel=manifest]').href)).json()"
    )
    assert manifest["start_url"] == f"/{lang}/check"
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    assert manifest["name"] == t(live.app, lang, "Certificate check")


def test_a_superseded_certificate_is_green_with_a_refresher_note_offline(make_app, tmp_path, phone):
    import shutil

    from tests.support.app import FIXTURE_CONTENT
    from tests.support.live import LiveServer, free_port

    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)  # this test publishes: never the fixture
    port = free_port()
    live = LiveServer(
        make_app(
            LIVE_PORT=port, COURSE_BASE_URL=f"http://127.0.0.1:{port}", CONTENT_DIR=str(content)
        )
    )
    try:
        _superseded_offline(live, phone)
    finally:
        live.stop()


def _superseded_offline(live, phone) -> None:
    from datetime import date

    from course.modules.authoring import services as authoring

    cert = issue(live.app)
    with live.app.app_context():
        today = date(2026, 12, 2)
        author = authoring.Author(None, "Тренер Тест")
        authoring.publish(authoring.draft(), author, today, "Тексеру.", True, today)
    page = phone.new_page()
    open_verifier(page, live, "ru")  # syncs the status list that now says so
    go_offline(live, phone)
    page.reload()
    wait_for_verifier(page)
    verdict, text = verify(page, cert["qr"])
    assert verdict == "green", text
    assert t(live.app, "ru", "Superseded — refresher recommended") in text
