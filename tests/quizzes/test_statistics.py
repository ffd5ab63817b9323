"""Item statistics against a small example worked out by hand."""

import pytest

from course.modules.quizzes.statistics import AnswerRecord, AttemptRecord, item_statistics


def attempt(n, lang, score, q1, q2, chosen1):
    return AttemptRecord(
        attempt_id=n,
        quiz_id="quiz",
        lang=lang,
        score=score,
        answers=(AnswerRecord("q1", q1, (chosen1,)), AnswerRecord("q2", q2, ("a",))),
    )


def test_hand_computed_example():
    # Eight attempts ranked by score; 27 % of 8 is 2.16, so the top 2 and bottom 2 count.
    attempts = [
        attempt(1, "kk", 100, True, True, "b"),   # top
        attempt(2, "ru", 90, True, False, "b"),   # top
        attempt(3, "kk", 70, True, True, "b"),
        attempt(4, "ru", 60, False, True, "c"),
        attempt(5, "kk", 50, True, False, "b"),
        attempt(6, "ru", 40, False, True, "a"),
        attempt(7, "kk", 20, False, True, "c"),   # bottom
        attempt(8, "ru", 10, True, False, "b"),   # bottom
    ]  # fmt: skip
    stats = {s.question_id: s for s in item_statistics(attempts)}
    q1, q2 = stats["q1"], stats["q2"]
    # q1: right in 1, 2, 3, 5, 8 → 5 of 8.
    assert q1.overall.answers == 8
    assert q1.overall.facility == pytest.approx(5 / 8)
    # Top (1, 2): 2 of 2 right; bottom (7, 8): 1 of 2 → D = 1 − 0.5.
    assert q1.discrimination == pytest.approx(0.5)
    # q2: right in 1, 3, 4, 6, 7 → 5 of 8; top 1 of 2, bottom 1 of 2 → D = 0.
    assert q2.overall.facility == pytest.approx(5 / 8)
    assert q2.discrimination == pytest.approx(0.0)
    # By language: q1 in Kazakh right in 1, 3, 5 of 1, 3, 5, 7 → 3/4; in Russian 2, 8 of 4 → 1/2.
    assert q1.by_lang["kk"].facility == pytest.approx(3 / 4)
    assert q1.by_lang["ru"].facility == pytest.approx(2 / 4)
    assert q1.overall.options == {"b": 5, "c": 2, "a": 1}
    assert q1.by_lang["ru"].options == {"b": 2, "c": 1, "a": 1}


def test_quizzes_are_ranked_separately_and_one_attempt_has_no_discrimination():
    one = AttemptRecord(9, "other", "kk", 0, (AnswerRecord("x", True, ("a",)),))
    strong = attempt(1, "kk", 100, True, True, "b")
    weak = attempt(2, "kk", 50, False, True, "c")
    stats = {s.question_id: s for s in item_statistics([one, strong, weak])}
    assert stats["x"].discrimination is None  # a quiz with one attempt has no top and bottom
    assert stats["x"].overall.facility == 1.0
    # The "other" quiz's 0 % attempt does not join this quiz's bottom group.
    assert stats["q1"].discrimination == pytest.approx(1.0)
