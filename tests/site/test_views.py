"""`/` chooses a language; `/healthz` reports the database; the landing page leads
learners, organisations and commission members to their own short pages, which work
without JavaScript."""

from __future__ import annotations

import re

import pytest
from flask import url_for
from flask_babel import force_locale, format_decimal, gettext, ngettext

from course.core.content.published import current_course
from course.core.db import db, utcnow
from course.modules.certificates import keys
from course.modules.certificates import services as certificates
from course.modules.certificates.services.signing import issuer
from course.modules.organisations import services as organisations
from tests.support.clients import sign_in
from tests.support.i18n import html_lang, t


@pytest.mark.parametrize(
    ("headers", "cookie", "expected"),
    [
        ({}, None, "/kk/"),
        ({"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}, None, "/ru/"),
        ({"Accept-Language": "kk-KZ,ru;q=0.5"}, None, "/kk/"),
        ({"Accept-Language": "en-US,de;q=0.5"}, None, "/kk/"),
        ({"Accept-Language": "kk"}, "ru", "/ru/"),
    ],
)
def test_root_picks_cookie_then_accept_language_then_kazakh(client, headers, cookie, expected):
    if cookie:
        client.set_cookie("lang", cookie)
    response = client.get("/", headers=headers)
    assert response.status_code == 302
    assert response.headers["Location"] == expected
    assert "Accept-Language" in response.headers["Vary"]


def test_root_prefers_the_signed_in_users_saved_language(client, user):
    sign_in(client, user["email"], user["password"], "ru")  # the user saved kk
    client.set_cookie("lang", "ru")
    assert client.get("/", headers={"Accept-Language": "ru"}).headers["Location"] == "/kk/"


def test_visiting_a_language_remembers_it(client):
    client.get("/ru/")
    assert client.get_cookie("lang").value == "ru"
    assert client.get("/").headers["Location"] == "/ru/"


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "edition": 3}


def test_healthz_503_when_the_database_does_not_answer(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/db.sqlite")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unavailable"


# ---------------------------------------------------------------- the audiences' pages

AUDIENCES = {
    "site.for_learners": "For learners",
    "site.for_organisations": "For organisations",
    "site.for_commissions": "For election commission members",
}
# What each page must lead to, inside its own content (the footer links to some of these
# on every page, so only <main> counts).
KEY_LINKS = {
    "site.for_learners": [
        "accounts.register",
        "accounts.sign_in",
        "learning.landing",
        "learning.glossary",
        "organisations.my_organisation",
    ],
    "site.for_organisations": [
        "certificates.verify_form",
        "organisations.dashboard",
        "organisations.organisation_log",
        "organisations_api.openapi",
        "organisations.apply",
        "accounts.register",
        "accounts.sign_in",
    ],
    "site.for_commissions": [
        "certificates.verify_form",
        "offline.check",
        "certificates_public.published_keys",
        "certificates_public.status_list",
        "offline.pocket",
        "offline.pocket_pdf",
    ],
}
FINGERPRINT = re.compile(r"(?:[0-9A-F]{4} ){15}[0-9A-F]{4}")


def url_in(app, lang: str, endpoint: str) -> str:
    """The endpoint's URL as a page in `lang` links to it (url_for fills in the language)."""
    with app.test_request_context(f"/{lang}/"):
        return url_for(endpoint)


def main_of(page: str) -> str:
    """The page's own content: what is between <main …> and </main>."""
    match = re.search(r"<main\b[^>]*>(.*)</main>", page, re.S)
    assert match, "no <main> in the page"
    return match.group(1)


def shown(app, lang: str, msgid: str, **variables) -> str:
    """A message as the page shows it, numbers formatted in that language."""
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        formatted = {k: format_decimal(v) for k, v in variables.items()}
        text = gettext(msgid, **formatted)
    assert text != msgid % formatted, f"{msgid!r} is not translated into {lang}"
    return text


def test_the_landing_page_leads_each_audience_to_its_page(app, client, lang):
    page = client.get(f"/{lang}/").get_data(as_text=True)
    assert html_lang(page) == lang
    section = re.search(r'<section aria-labelledby="audiences">(.*?)</section>', page, re.S)
    assert section, "no section for the audiences on the landing page"
    assert t(app, lang, "Where to start") in section.group(1)
    for endpoint, title in AUDIENCES.items():
        link = re.search(
            rf'<a href="{re.escape(url_in(app, lang, endpoint))}"><strong>([^<]+)</strong></a>',
            section.group(1),
        )
        assert link, f"the landing page does not link to {endpoint}"
        assert link.group(1) == t(app, lang, title)


@pytest.mark.parametrize("endpoint", AUDIENCES)
def test_each_audience_page_is_in_its_language_and_needs_no_script(app, client, lang, endpoint):
    url = url_in(app, lang, endpoint)
    assert url.startswith(f"/{lang}/for/")
    response = client.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert html_lang(page) == lang
    content = main_of(page)
    # The content is in the HTML as sent: no script makes or shows any of it.
    assert "<script" not in content
    assert "<noscript" not in content
    assert f"<h1>{t(app, lang, AUDIENCES[endpoint])}</h1>" in content
    other = "ru" if lang == "kk" else "kk"
    assert f'href="{url_in(app, other, endpoint)}" hreflang="{other}"' in page


@pytest.mark.parametrize("endpoint", AUDIENCES)
def test_each_audience_page_leads_to_the_real_routes(app, client, lang, endpoint):
    content = main_of(client.get(url_in(app, lang, endpoint)).get_data(as_text=True))
    for target in KEY_LINKS[endpoint]:
        url = url_in(app, lang, target)
        assert f'href="{url}"' in content, f"{endpoint} does not link to {target}"
        # A real page: served, or (for staff and signed-in pages) a sign-in first.
        status = client.get(url).status_code
        assert status in (200, 302), f"{target} at {url} answered {status}"


def test_the_learners_page_tells_the_course_from_the_content(app, client, lang):
    with app.app_context():
        course = current_course()
    content = main_of(client.get(f"/{lang}/for/learners").get_data(as_text=True))
    assert course.title[lang] in content
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        modules = ngettext(
            "The course has %(num)d module.", "The course has %(num)d modules.", len(course.modules)
        )
        minutes = sum(m.minutes for m in course.modules)
        reading = ngettext(
            "Its lessons take about %(num)d minute to read in all.",
            "Its lessons take about %(num)d minutes to read in all.",
            minutes,
        )
    assert modules in content
    assert reading in content
    mark = t(
        app,
        lang,
        "To pass the final exam, at least %(mark)s%% of your answers must be right.",
        mark=course.final_exam.pass_mark,
    )
    assert mark in content


def test_a_signed_in_learner_is_sent_to_their_course(app, signed_in, lang):
    content = main_of(signed_in.get(f"/{lang}/for/learners").get_data(as_text=True))
    assert f'href="{url_in(app, lang, "learning.course_home")}"' in content
    assert f'href="{url_in(app, lang, "certificates.my_certificate")}"' in content
    assert f'href="{url_in(app, lang, "accounts.register")}"' not in content


def test_the_organisations_page_names_the_api_and_the_limits(app, client, lang):
    content = main_of(client.get(f"/{lang}/for/organisations").get_data(as_text=True))
    assert f"<code>POST {url_in(app, lang, 'organisations_api.api_verify')}</code>" in content
    bulk = shown(
        app,
        lang,
        "Check many at once: paste codes or upload a CSV file (a code on each line and, if you "
        "have it, the IIN), up to %(num)s rows, and get the results as a table or as a CSV file.",
        num=organisations.MAX_BULK_ROWS,
    )
    api = shown(
        app,
        lang,
        "Connect your own software to the verification API: with a token made by your "
        "organisation's administrator, send up to %(num)s codes in one request. The OpenAPI "
        "document describes every request and answer.",
        num=organisations.MAX_API_ITEMS,
    )
    assert bulk in content
    assert api in content
    assert client.get(url_in(app, lang, "organisations_api.openapi")).json["openapi"]


def test_the_commission_page_says_what_each_result_means(app, client, lang):
    content = main_of(client.get(f"/{lang}/for/commissions").get_data(as_text=True))
    # The verdicts in the words the verification page uses for them.
    for verdict in (
        "Valid",
        "Superseded — refresher recommended",
        "Revoked",
        "Replaced",
        "Not valid",
        "Not found",
    ):
        assert f"<dt>{t(app, lang, verdict)}</dt>" in content


def test_the_commission_page_shows_the_root_key_fingerprint(app, client, lang):
    content = main_of(client.get(f"/{lang}/for/commissions").get_data(as_text=True))
    with app.app_context():
        fingerprint = certificates.root_fingerprint()
    assert FINGERPRINT.fullmatch(fingerprint)
    assert f'<code id="root-fingerprint">{fingerprint}</code>' in content
    # The same one the offline check pins and shows.
    assert fingerprint in client.get(f"/{lang}/check").get_data(as_text=True)


def _shown_fingerprint(client, lang: str = "kk") -> str:
    page = client.get(f"/{lang}/for/commissions").get_data(as_text=True)
    match = re.search(r'<code id="root-fingerprint">([^<]+)</code>', page)
    assert match
    return match.group(1)


def test_the_fingerprint_follows_the_key_ring_not_a_signing_key(make_app, tmp_path):
    first, second = tmp_path / "keys-1", tmp_path / "keys-2"
    app = make_app(KEYS_DIR=str(first))
    with app.app_context():
        for folder in (first, second):
            assert keys.Keyring(folder).init(utcnow(), issuer())
    client = app.test_client()
    with app.app_context():
        expected = certificates.root_fingerprint()
        active = certificates.keyring().active()[0].kid
    assert _shown_fingerprint(client) == expected
    # A new signing key is signed by the same root: the fingerprint to compare stays.
    with app.app_context():
        certificates.rotate_key()
        db.session.commit()
        assert certificates.keyring().active()[0].kid != active
    assert _shown_fingerprint(client) == expected
    # Another key ring (another root) shows its own, at once: nothing kept shows the old.
    app.config["KEYS_DIR"] = str(second)
    with app.app_context():
        other = certificates.root_fingerprint()
    assert other != expected
    assert _shown_fingerprint(client) == other
    assert _shown_fingerprint(client, "ru") == other
