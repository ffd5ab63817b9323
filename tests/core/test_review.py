"""When a module is due for review (course.core.content.review), and how the loader reads
the review dates and the recorded legal changes."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date

import pytest

from course.core.content import check_content, load_course
from course.core.content.review import modules_due, months_after, review_state
from tests.support.app import FIXTURE_CONTENT

TODAY = date(2026, 12, 2)


@pytest.fixture(scope="module")
def course():
    return load_course(FIXTURE_CONTENT)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 6, 2), 6, date(2026, 12, 2)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),  # no 31 February: the month's last day
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_months_after(day, months, expected):
    assert months_after(day, months) == expected


def _module(course, *, law: date, reviewed: date | None):
    return replace(course.module("beta"), status_as_of=law, reviewed=reviewed)


def test_a_module_reviewed_recently_on_the_current_law_is_not_due(course):
    module = _module(course, law=date(2026, 7, 1), reviewed=date(2026, 11, 20))
    state = review_state(course, module, TODAY, 6)
    assert not state.due
    assert not state.review_overdue
    assert state.changes == ()


def test_a_review_older_than_the_age_makes_it_due(course):
    module = _module(course, law=date(2026, 7, 1), reviewed=date(2026, 6, 1))
    assert review_state(course, module, TODAY, 6).review_overdue
    assert not review_state(course, module, TODAY, 7).review_overdue
    # Exactly the age is still within it.
    assert not review_state(course, module, months_after(date(2026, 6, 1), 6), 6).review_overdue
    # The review also predates the change of 1 July 2026: that alone keeps it due.
    assert review_state(course, module, TODAY, 7).due


def test_a_module_with_no_review_recorded_is_due(course):
    state = review_state(course, _module(course, law=date(2026, 7, 1), reviewed=None), TODAY, 6)
    assert state.review_overdue
    assert state.due


def test_a_change_after_the_law_date_makes_it_due_even_after_a_review(course):
    # Reviewed after the change, yet the text still describes the law before it.
    module = _module(course, law=date(2023, 3, 19), reviewed=date(2026, 11, 20))
    state = review_state(course, module, TODAY, 6)
    assert not state.review_overdue
    assert [c.id for c in state.changes] == ["constitution-2026"]
    assert state.parts == (False, ("constitution-2026",))


def test_a_change_not_yet_in_force_does_not_count(course):
    module = _module(course, law=date(2023, 3, 19), reviewed=date(2026, 5, 1))
    assert review_state(course, module, date(2026, 6, 30), 6).changes == ()
    assert review_state(course, module, date(2026, 7, 1), 6).changes != ()


def test_modules_due_lists_them_in_course_order(course):
    assert [s.module.id for s in modules_due(course, TODAY, 6)] == ["alpha", "beta"]
    fresh = replace(
        course,
        modules=tuple(
            replace(m, status_as_of=date(2026, 7, 1), reviewed=date(2026, 11, 1))
            for m in course.modules
        ),
    )
    assert modules_due(fresh, TODAY, 6) == []
    assert fresh.last_reviewed == date(2026, 11, 1)
    assert course.last_reviewed is None  # beta's review is not recorded


def test_the_loader_reads_legal_changes_in_both_languages(course):
    [change] = course.legal_changes
    assert (change.id, change.date) == ("constitution-2026", date(2026, 7, 1))
    assert change.text["kk"].startswith("Жаңа Конституция")
    assert change.text["ru"].startswith("Вступила")
    assert course.module("alpha").reviewed == date(2026, 1, 15)


@pytest.fixture
def copy(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    return root


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _messages(root):
    return [str(p).split("content/", 1)[-1] for p in check_content(root)]


def test_a_legal_change_without_its_russian_text_is_a_problem(copy):
    _edit(copy / "ru/course.yaml", "  constitution-2026:", "  other-change:")
    found = _messages(copy)
    assert any("ru/course.yaml" in m and "'constitution-2026' is missing" in m for m in found)
    assert any("ru/course.yaml" in m and "unknown legal change 'other-change'" in m for m in found)


def test_legal_changes_out_of_order_and_a_bad_review_date_are_problems(copy):
    _edit(
        copy / "course.yaml",
        "    date: 2026-07-01\n",
        "    date: 2026-07-01\n  - id: earlier\n    date: 2020-01-01\n",
    )
    _edit(copy / "kk/course.yaml", "legal_changes:\n", "legal_changes:\n  earlier: Ерте.\n")
    _edit(copy / "ru/course.yaml", "legal_changes:\n", "legal_changes:\n  earlier: Раньше.\n")
    _edit(copy / "course.yaml", "reviewed: 2026-01-15", "reviewed: soon")
    found = _messages(copy)
    assert any("list legal changes oldest first" in m for m in found)
    assert "course.yaml:8: 'reviewed' must be a date (YYYY-MM-DD)" in found
