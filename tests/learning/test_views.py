"""Learner pages: landing, course home, lessons, progress across a language switch."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from tests.support.i18n import html_lang, t

LESSON_TITLES = {"kk": "Бірінші сабақ", "ru": "Первый урок"}


def test_landing_page_is_public_and_in_the_page_language(app, client, lang):
    response = client.get(f"/{lang}/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html_lang(html) == lang
    assert {"kk": "Сынақ курсы", "ru": "Тестовый курс"}[lang] in html
    assert t(app, lang, "Start the course") in html
    assert {"kk": "Бірінші модуль", "ru": "Первый модуль"}[lang] in html


def test_every_page_links_to_itself_in_the_other_language(signed_in, lang):
    other = "ru" if lang == "kk" else "kk"
    for path in ("/", "/course", "/learn/alpha/", "/learn/alpha/first", "/account", "/privacy"):
        html = signed_in.get(f"/{lang}{path}").get_data(as_text=True)
        assert f'href="/{other}{path}" hreflang="{other}"' in html, path
        assert html_lang(html) == lang


def test_lesson_page_has_previous_and_next(signed_in, lang):
    html = signed_in.get(f"/{lang}/learn/alpha/second").get_data(as_text=True)
    assert f'rel="prev" href="/{lang}/learn/alpha/first"' in html
    assert f'rel="next" href="/{lang}/learn/beta/only"' in html
    first = signed_in.get(f"/{lang}/learn/alpha/first").get_data(as_text=True)
    assert 'rel="prev"' not in first


def test_lesson_content_is_in_the_page_language(signed_in, lang):
    html = signed_in.get(f"/{lang}/learn/alpha/first").get_data(as_text=True)
    assert f"<h1>{LESSON_TITLES[lang]}</h1>" in html
    other = LESSON_TITLES["ru" if lang == "kk" else "kk"]
    assert f"<h1>{other}</h1>" not in html
    if lang == "kk":
        assert "Ә Ғ Қ Ң Ө Ұ Ү Һ І" in html


def test_unknown_module_or_lesson_or_language_is_404(signed_in, lang):
    assert signed_in.get(f"/{lang}/learn/alpha/nope").status_code == 404
    assert signed_in.get(f"/{lang}/learn/nope/first").status_code == 404
    response = signed_in.get("/en/learn/alpha/first")
    assert response.status_code == 404


def test_lessons_need_sign_in(client, lang):
    response = client.get(f"/{lang}/learn/alpha/first")
    assert response.status_code == 302
    assert f"/{lang}/sign-in" in response.headers["Location"]


def test_reading_in_kazakh_then_switching_to_russian_keeps_progress(app, signed_in):
    signed_in.get("/kk/learn/alpha/first")
    response = signed_in.post("/kk/learn/alpha/first/read")
    assert response.status_code == 302
    assert response.headers["Location"] == "/kk/learn/alpha/second"
    signed_in.get("/kk/learn/alpha/second")
    ru = signed_in.get("/ru/course").get_data(as_text=True)
    assert html_lang(ru) == "ru"
    assert "1 из 2 уроков" in ru  # Russian plural after "из 2"
    assert t(app, "ru", "Continue: %(title)s", title="Второй урок") in ru
    first_ru = signed_in.get("/ru/learn/alpha/first").get_data(as_text=True)
    assert t(app, "ru", "You have read this lesson.") in first_ru
    module_ru = signed_in.get("/ru/learn/alpha/").get_data(as_text=True)
    assert module_ru.count(t(app, "ru", "Read") + "</span>") == 1


def test_marking_the_last_lesson_of_a_module_returns_to_the_module(signed_in, lang):
    response = signed_in.post(f"/{lang}/learn/alpha/second/read")
    assert response.headers["Location"] == f"/{lang}/learn/alpha/"


def test_course_home_counts_with_plural_forms(app, signed_in):
    for lesson in ("first", "second", "only"):
        signed_in.post(f"/ru/learn/{'beta' if lesson == 'only' else 'alpha'}/{lesson}/read")
    html = signed_in.get("/ru/course").get_data(as_text=True)
    assert re.search(r"3\D+3", html)
    assert t(app, "ru", "All lessons read") in html


def test_plural_forms_in_russian_and_kazakh(app):
    from flask_babel import force_locale, ngettext

    with app.test_request_context("/ru/"), force_locale("ru"):
        forms = [ngettext("%(num)d lesson", "%(num)d lessons", n) for n in (1, 2, 5, 21)]
    assert forms == ["1 урок", "2 урока", "5 уроков", "21 урок"]
    with app.test_request_context("/kk/"), force_locale("kk"):
        assert ngettext("%(num)d lesson", "%(num)d lessons", 5) == "5 сабақ"


def test_dates_are_formatted_per_locale(signed_in):
    kk = signed_in.get("/kk/learn/alpha/").get_data(as_text=True)
    ru = signed_in.get("/ru/learn/alpha/").get_data(as_text=True)
    assert "2021 ж. 10 қаңтар" in kk.replace("\u202f", " ").replace("\xa0", " ")
    assert "10 января 2021 г." in ru.replace("\u202f", " ")


def test_lesson_page_is_light(signed_in):
    response = signed_in.get("/kk/learn/alpha/first")
    with signed_in.get("/static/course.css") as css:
        assert len(response.data) + len(css.data) < 60 * 1024
    html = response.get_data(as_text=True)
    # Usable without JavaScript: the one script only installs the service worker that keeps
    # opened lessons for offline reading (progressive enhancement, same origin, deferred).
    (script,) = re.findall(r"<script[^>]*>", html)
    # Its URL carries the file's content hash (cached for a year, see tests/core/test_caching.py).
    assert re.fullmatch(r'<script src="/static/offline\.js\?v=[0-9a-f]{16}" defer>', script)
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing from another host


def test_media_is_served_and_cannot_escape_its_folder(client, lang):
    with client.get(f"/{lang}/media/diagram.svg") as response:
        assert response.status_code == 200
        assert response.data.startswith(b"<svg")
    assert client.get(f"/{lang}/media/../course.yaml").status_code == 404
    assert client.get(f"/{lang}/media/%2e%2e/course.yaml").status_code == 404


def test_glossary_page_in_both_languages(app, client, lang):
    response = client.get(f"/{lang}/learn/glossary")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html_lang(html) == lang
    assert t(app, lang, "Glossary") in html
    term = {"kk": "байқаушы", "ru": "наблюдатель"}[lang]
    assert f'<dt id="observer">{term}</dt>' in html


def test_lesson_glossary_links_reach_the_glossary_page(signed_in, lang):
    html = signed_in.get(f"/{lang}/learn/beta/only").get_data(as_text=True)
    href = re.search(r'href="([^"]*glossary[^"]*)"', html).group(1)
    target = urljoin(f"/{lang}/learn/beta/only", href)
    assert target == f"/{lang}/learn/glossary#observer"
    assert signed_in.get(target.split("#")[0]).status_code == 200
