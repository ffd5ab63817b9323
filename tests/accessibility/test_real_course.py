"""The real course in content/: every lesson, the glossary and the pocket reference, in
both languages, at a phone's size (where long words and wide content bite first): no
serious or critical axe violation. No pictures: the page types are pictured by
test_pages.py on the fixture course."""

from __future__ import annotations

import pytest

from course.config import PROJECT_ROOT
from course.core.content import load_course
from tests.accessibility.scanning import Scanner, sign_in
from tests.support.authoring import make_person

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REAL = PROJECT_ROOT / "content"


def test_the_real_course_at_a_phones_size(serve, contexts, axe_source, screenshots, lang):
    live = serve(REAL)
    page = sign_in(contexts(), live.url, lang, make_person(live.app, "learner")["email"])
    scanner = Scanner(axe_source, screenshots, lang)
    base = f"{live.url}/{lang}"
    course = load_course(REAL)
    paths = [("/course", "course-home"), ("/learn/glossary", "glossary"), ("/pocket", "pocket")]
    paths += [(f"/learn/{m.id}/", f"module {m.id}") for m in course.modules]
    paths += [(f"/learn/{le.module_id}/{le.id}", f"lesson {le.id}") for le in course.lessons]
    for path, name in paths:
        scanner.visit(page, base + path, name, sizes=("phone",), pictures=False)
    assert len(scanner.scanned) == len(paths)
    assert not scanner.found, scanner.report()
