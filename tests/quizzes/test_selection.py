"""Drawing the final exam and ordering options, with a seeded generator."""

import random
from collections import Counter

from course.core.content import load_course
from course.modules.quizzes.selection import draw_final_exam, option_order
from tests.support.app import FIXTURE_CONTENT

COURSE = load_course(FIXTURE_CONTENT)


def _pool(n_per_module: int):
    """A larger pool made from the fixture's questions, to exercise the rules."""
    from dataclasses import replace

    base = COURSE.final_exam.pool[0]
    return [
        replace(base, id=f"{module}-{i}", module_id=module)
        for module in ("alpha", "beta", "gamma")
        for i in range(n_per_module)
    ]


def test_final_exam_meets_size_and_per_module_minimum():
    pool = _pool(6)
    for seed in range(50):
        drawn = draw_final_exam(pool, ["alpha", "beta", "gamma"], 8, 2, set(), random.Random(seed))
        assert len(drawn) == 8
        assert len({q.id for q in drawn}) == 8
        counts = Counter(q.module_id for q in drawn)
        assert min(counts[m] for m in ("alpha", "beta", "gamma")) >= 2


def test_final_exam_prefers_questions_not_seen_before():
    pool = _pool(6)
    first = draw_final_exam(pool, ["alpha", "beta", "gamma"], 9, 2, set(), random.Random(1))
    seen = {q.id for q in first}
    second = draw_final_exam(pool, ["alpha", "beta", "gamma"], 9, 2, seen, random.Random(2))
    assert not seen & {q.id for q in second}  # 18 questions: room for a whole new exam


def test_true_false_keeps_its_order_and_ordering_is_never_shown_solved():
    quiz = COURSE.module("alpha").quiz
    tf = next(q for q in quiz.questions if q.type == "true_false")
    order = next(q for q in quiz.questions if q.type == "ordering")
    for seed in range(100):
        rng = random.Random(seed)
        assert option_order(tf, rng) == ["true", "false"]
        shown = option_order(order, rng)
        assert sorted(shown) == sorted(order.correct)
        assert shown != list(order.correct)
