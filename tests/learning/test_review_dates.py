"""Dates a learner can trust: each module's law date and last review at the top of its
pages, a notice while it is due for review, and the pocket reference's edition line."""

from __future__ import annotations

import io
import shutil
from datetime import date

import pytest
from babel.dates import format_date
from pypdf import PdfReader

from course.core.content.editions import today_in
from tests.support.app import FIXTURE_CONTENT
from tests.support.clients import client_for
from tests.support.i18n import html_lang, t

CHANGE = {"kk": "Жаңа Конституция күшіне енді.", "ru": "Вступила в силу новая Конституция."}


def _long(day: date, lang: str) -> str:
    return format_date(day, "long", locale=lang)


def _top(page: str) -> str:
    """What comes before the first paragraph of the text: the dates and the notice."""
    return page.split('class="muted review-dates"', 1)[1].split("</div>", 1)[0]


def test_a_module_due_for_review_says_why_at_the_top_of_its_pages(app, lang):
    learner, _, _ = client_for(app)
    for path in ("alpha/", "alpha/first"):
        page = learner.get(f"/{lang}/learn/{path}").get_data(as_text=True)
        assert html_lang(page) == lang
        top = _top(page)
        assert _long(date(2021, 1, 10), lang) in top  # the law date
        reviewed = t(app, lang, "last reviewed by the trainers on %(date)s", date="X")
        assert reviewed.replace("X", _long(date(2026, 1, 15), lang)) in top
        assert _long(date(2026, 1, 15), lang) in top  # reviewed longer ago than six months
        assert f"{_long(date(2026, 7, 1), lang)}</strong>: {CHANGE[lang]}" in top
        assert "adilet.zan.kz" in top
        # Before the text of the module or lesson, not after it.
        assert page.index("review-notice") < page.index('href="/' + lang + "/learn/glossary")
    beta = learner.get(f"/{lang}/learn/beta/").get_data(as_text=True)
    assert t(app, lang, "no review by the trainers recorded") in _top(beta)


@pytest.fixture
def current_content(tmp_path):
    """The fixture course with beta up to date: law after the change, reviewed today."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    structure = root / "course.yaml"
    today = today_in("Asia/Almaty").isoformat()
    text = structure.read_text(encoding="utf-8").replace(
        "    status_as_of: 2023-03-19\n",
        f"    status_as_of: 2026-07-01\n    reviewed: {today}\n",
    )
    structure.write_text(text, encoding="utf-8")
    return root


def test_a_module_on_the_current_law_reviewed_recently_shows_no_notice(
    make_app, current_content, lang
):
    app = make_app(CONTENT_DIR=str(current_content))
    learner, _, _ = client_for(app)
    for path in ("beta/", "beta/only"):
        page = learner.get(f"/{lang}/learn/{path}").get_data(as_text=True)
        assert _long(today_in("Asia/Almaty"), lang) in _top(page)
        assert "review-notice" not in page
    # alpha, in the same course, is still due (reviewed long ago, law before the change).
    page = learner.get(f"/{lang}/learn/alpha/").get_data(as_text=True)
    assert "review-notice" in page


def test_the_age_is_configurable(make_app, current_content, lang):
    app = make_app(CONTENT_DIR=str(current_content), CONTENT_REVIEW_MAX_MONTHS=240)
    learner, _, _ = client_for(app)
    page = learner.get(f"/{lang}/learn/alpha/").get_data(as_text=True)
    assert "review-notice" in page  # the change in the law
    assert "240" not in _top(page)  # but the review is within 240 months
    assert {"kk": "ай бойы тексермеген", "ru": "не проверяли"}[lang] not in _top(page)
    app = make_app(CONTENT_DIR=str(current_content), CONTENT_REVIEW_MAX_MONTHS=6)
    learner, _, _ = client_for(app)
    page = learner.get(f"/{lang}/learn/alpha/").get_data(as_text=True)
    # The sentence names the configured age, in the page's language.
    sentence = {"kk": "соңғы 6 ай бойы тексермеген", "ru": "последние 6 месяцев"}[lang]
    assert sentence in _top(page)


def test_the_pocket_reference_shows_its_edition_law_date_and_last_review(
    make_app, current_content, client, lang
):
    page = client.get(f"/{lang}/pocket").get_data(as_text=True)
    assert t(app_of(client), lang, "no review by the trainers recorded") in page
    app = make_app(CONTENT_DIR=str(current_content))
    # alpha's review (15 January 2026) is now the oldest.
    page = app.test_client().get(f"/{lang}/pocket").get_data(as_text=True)
    line = page.split('<p class="muted">', 1)[1].split("</p>", 1)[0]
    assert "3" in line
    assert _long(date(2021, 1, 10), lang) in line
    assert _long(date(2026, 1, 15), lang) in line
    booklet = app.test_client().get(f"/{lang}/pocket.pdf").data
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(booklet)).pages)
    words = " ".join(text.split())
    assert " ".join(_long(date(2026, 1, 15), lang).split()) in words
    assert " ".join(_long(date(2021, 1, 10), lang).split()) in words


def app_of(client):
    return client.application
