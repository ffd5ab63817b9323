"""Reading a submitted form: only values issued for this attempt, each once."""

import pytest

from course.modules.quizzes.answers import AnswerError, DrawnQuestion, parse_answers

QUESTIONS = [
    DrawnQuestion(1, "q-single", "single", {"aaaa": "a", "bbbb": "b"}),
    DrawnQuestion(2, "q-multi", "multiple", {"cccc": "a", "dddd": "b", "eeee": "c"}),
    DrawnQuestion(3, "q-order", "ordering", {"ffff": "x", "gggg": "y", "hhhh": "z"}),
    DrawnQuestion(4, "q-tf", "true_false", {"iiii": "true", "jjjj": "false"}),
]
COMPLETE = [
    ("csrf_token", "t"),
    ("action", "submit"),
    ("q1", "bbbb"),
    ("q2", "cccc"),
    ("q2", "eeee"),
    ("q3-ffff", "2"),
    ("q3-gggg", "3"),
    ("q3-hhhh", "1"),
    ("q4", "jjjj"),
]


def test_a_complete_form():
    assert parse_answers(COMPLETE, QUESTIONS, require_all=True) == {
        "q-single": ["b"],
        "q-multi": ["a", "c"],
        "q-order": ["z", "x", "y"],
        "q-tf": ["false"],
    }


def test_a_draft_may_leave_questions_out():
    assert parse_answers([("q1", "aaaa"), ("q3-ffff", "")], QUESTIONS, require_all=False) == {
        "q-single": ["a"]
    }


def replace(name, value=None, *, drop=False, add=()):
    fields = [(k, v) for k, v in COMPLETE if not (k == name and drop)]
    if value is not None:
        fields = [(k, value if k == name else v) for k, v in fields]
    return fields + list(add)


@pytest.mark.parametrize(
    ("fields", "code", "positions"),
    [
        (replace("q1", "zzzz"), "forged", [1]),
        (replace("q1", "B"), "forged", [1]),
        (replace("q4", "cccc"), "forged", [4]),  # another question's value
        (replace("q1", add=[("q1", "aaaa")]), "duplicate", [1]),
        (replace("q1", add=[("q2", "cccc")]), "duplicate", [2]),
        (replace("q1", add=[("q9", "aaaa")]), "unknown_field", []),
        (replace("q1", add=[("is_correct", "1")]), "unknown_field", []),
        (replace("q1", add=[("q1-aaaa", "1")]), "unknown_field", []),
        (replace("q1", drop=True), "missing", [1]),
        (replace("q3-ffff", "3"), "ordering", [3]),
        (replace("q3-ffff", ""), "ordering", [3]),
        (replace("q3-ffff", "9"), "ordering", [3]),
        (replace("q3-ffff", "one"), "forged", [3]),
        (replace("q1", add=[("q3-zzzz", "1")]), "forged", [3]),
        (replace("q1", add=[("q3-ffff", "2")]), "duplicate", [3]),
    ],
)
def test_refused_forms(fields, code, positions):
    with pytest.raises(AnswerError) as info:
        parse_answers(fields, QUESTIONS, require_all=True)
    assert info.value.code == code
    assert info.value.positions == positions
