"""The keyboard alone: signing in, starting a quiz, answering it and submitting it with
Tab, Space, Enter and the digit keys, never the mouse; and every element the keyboard
reaches shows that it has the focus."""

from __future__ import annotations

import pytest

from tests.accessibility.people import learner_in_progress
from tests.accessibility.scanning import FOCUS_SHOWN
from tests.support import factories

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# What the keyboard has reached: enough to decide which key to press.
FOCUSED = """() => {
    const el = document.activeElement;
    const fieldset = el.closest("fieldset.question");
    const group = fieldset ? [...fieldset.querySelectorAll("input, select")] : [];
    return {
        tag: el.tagName.toLowerCase(),
        id: el.id,
        type: el.type || "",
        value: el.value || "",
        answered: group.some((i) => i.checked),
        place: el.tagName === "SELECT" ? group.indexOf(el) + 1 : 0,
        inMain: !!el.closest("main"),
    };
}"""


def tab_to(page, found, predicate, limit: int = 80) -> dict:
    """Press Tab until the focused element satisfies predicate; every element passed on the
    way must show its focus (those that do not are added to `found`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        shown = page.evaluate(FOCUS_SHOWN)
        if shown and not shown["shown"]:
            found.append(f"{page.url}: {shown['tag']} {shown['text']!r}")
        focused = page.evaluate(FOCUSED)
        if predicate(focused):
            return focused
    raise AssertionError(f"Tab never reached the element wanted on {page.url}")


def tab_through(page, found) -> int:
    """Tab through the whole page, from the top back to the top; the number of stops."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    seen = []
    for _ in range(150):
        page.keyboard.press("Tab")
        shown = page.evaluate(FOCUS_SHOWN)
        if shown is None or (seen and shown == seen[0]):
            break
        if not shown["shown"]:
            found.append(f"{page.url}: {shown['tag']} {shown['text']!r}")
        seen.append(shown)
    return len(seen)


def test_a_quiz_with_the_keyboard_alone(live, contexts, lang):
    email = learner_in_progress(live.app)
    page = contexts().new_page()
    unshown: list[str] = []

    page.goto(f"{live.url}/{lang}/sign-in")
    tab_to(page, unshown, lambda f: f["id"] == "email")
    page.keyboard.type(email)
    tab_to(page, unshown, lambda f: f["id"] == "password")
    page.keyboard.type(factories.PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/sign-in" not in page.url

    page.goto(f"{live.url}/{lang}/quiz/alpha/")
    tab_to(page, unshown, lambda f: f["tag"] == "button" and f["inMain"])  # "Start"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/attempts/" in page.url

    answered = 0
    while True:
        focused = tab_to(
            page,
            unshown,
            lambda f: (
                (f["type"] in ("radio", "checkbox") and not f["answered"])
                or f["tag"] == "select"
                or f["value"] == "submit"
            ),
        )
        if focused["value"] == "submit" and focused["tag"] == "button":
            break
        if focused["tag"] == "select":
            page.keyboard.press(str(focused["place"]))
        else:
            page.keyboard.press("Space")
        answered += 1
    assert answered >= 4  # a radio, a checkbox, true/false and three places at least
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/result"), page.url
    assert page.locator("main h1").count() == 1
    assert not unshown, "focus not visible on:\n" + "\n".join(unshown)


def test_focus_is_visible_everywhere_the_keyboard_goes(live, contexts, lang):
    page = contexts().new_page()
    unshown: list[str] = []
    stops = 0
    for path in ("/", "/register", "/sign-in", "/verify", "/check", "/pocket"):
        page.goto(f"{live.url}/{lang}{path}")
        stops += tab_through(page, unshown)
    assert stops > 30
    assert not unshown, "focus not visible on:\n" + "\n".join(unshown)
