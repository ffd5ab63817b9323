"""Grading rules, without an app."""

import pytest

from course.modules.quizzes.grading import GRADERS, Score, grade


@pytest.mark.parametrize(
    ("qtype", "key", "chosen", "right"),
    [
        ("single", ["b"], ["b"], True),
        ("single", ["b"], ["a"], False),
        ("true_false", ["false"], ["false"], True),
        ("true_false", ["false"], ["true"], False),
        ("multiple", ["a", "c"], ["c", "a"], True),
        ("multiple", ["a", "c"], ["a"], False),  # no partial credit
        ("multiple", ["a", "c"], ["a", "b", "c"], False),
        ("multiple", ["a", "c"], ["a", "a", "c"], False),
        ("ordering", ["z", "x", "y"], ["z", "x", "y"], True),
        ("ordering", ["z", "x", "y"], ["x", "z", "y"], False),
        ("single", ["b"], [], False),
        ("ordering", ["z", "x", "y"], None, False),
    ],
)
def test_grade(qtype, key, chosen, right):
    assert grade(qtype, key, chosen) is right


def test_every_content_type_has_a_grader():
    from course.core.content import QUESTION_TYPES

    assert set(GRADERS) == set(QUESTION_TYPES)


@pytest.mark.parametrize(
    ("correct", "total", "mark", "percent", "passed"),
    [
        (4, 5, 80, 80, True),
        (3, 4, 80, 75, False),
        (7, 9, 77, 77, True),
        (2, 3, 67, 66, False),
        (0, 5, 80, 0, False),
    ],
)
def test_score_is_exact_and_rounds_down(correct, total, mark, percent, passed):
    score = Score(correct, total, mark)
    assert score.percent == percent
    assert score.passed is passed
