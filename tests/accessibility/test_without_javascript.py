"""The learner's journey in a browser with JavaScript turned off, under CSRF protection as
in production: register, confirm by the mailed link, read the lessons, take a quiz, see
the result; sign out and sign in again."""

from __future__ import annotations

import pytest

from tests.accessibility.scanning import answer_every_question
from tests.support import factories
from tests.support.mail import link_path, outbox

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def submit(page, selector: str = "main form button[type=submit]") -> None:
    with page.expect_navigation():
        page.click(selector)


def test_the_learner_journey_without_javascript(serve, contexts, lang):
    live = serve(WTF_CSRF_ENABLED=True)
    page = contexts(java_script_enabled=False).new_page()
    base = f"{live.url}/{lang}"
    # Scripts really are off: the offline check's <noscript> advice is what shows.
    page.goto(f"{base}/check")
    assert page.locator("noscript p.notice").is_visible()
    assert page.get_attribute("#data-state", "data-state") == "none"

    page.goto(f"{base}/register")
    page.fill("#full_name", "Әсел Қайратқызы Нұрланова")
    page.fill("#email", f"nojs-{lang}@example.kz")
    page.fill("#password", factories.PASSWORD)
    page.fill("#confirm", factories.PASSWORD)
    page.check("#consent")
    submit(page)
    [message] = outbox(live.app)
    page.goto(live.url + link_path(message))
    submit(page)
    assert page.url.endswith(f"/{lang}/course"), page.url

    page.click("main a[href$='/learn/alpha/']")
    lessons = [a.get_attribute("href") for a in page.locator("main ol.lessons a").all()]
    assert len(lessons) == 2
    page.goto(live.url + lessons[0])
    for _ in lessons:
        submit(page)  # "I have read this lesson": on to the next one, then the module
    assert page.url.endswith(f"/{lang}/learn/alpha/"), page.url
    assert page.locator("main ol.lessons .state.done").count() == 2

    page.goto(f"{base}/quiz/alpha/")
    submit(page)  # "Start"
    assert "/attempts/" in page.url
    answer_every_question(page)
    submit(page, "button[value=submit]")
    assert page.url.endswith("/result"), page.url
    assert page.get_attribute("html", "lang") == lang

    submit(page, "header form button[type=submit]")  # "Sign out"
    page.goto(f"{base}/sign-in")
    page.fill("#email", f"nojs-{lang}@example.kz")
    page.fill("#password", factories.PASSWORD)
    submit(page)
    assert page.url.endswith(f"/{lang}/course"), page.url
    page.goto(f"{base}/quiz/alpha/")
    assert page.locator("main a[href$='/result']").count() == 1  # the attempt is kept
