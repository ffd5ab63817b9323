"""Which questions an attempt gets, and in which order its options appear. No Flask.

A module quiz asks all of its questions. The final exam draws `size` questions from its
pool with at least `per_module_min` from each module, preferring questions this learner
has not seen before. Every attempt shuffles question order and option order.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

from course.core.content import Question


def _prefer_unseen(questions: Iterable[Question], seen: set[str], rng: random.Random):
    return sorted(questions, key=lambda q: (q.id in seen, rng.random()))


def draw_final_exam(
    pool: Sequence[Question],
    module_ids: Sequence[str],
    size: int,
    per_module_min: int,
    seen: set[str],
    rng: random.Random,
) -> list[Question]:
    chosen: list[Question] = []
    for module_id in module_ids:
        candidates = [q for q in pool if q.module_id == module_id]
        chosen.extend(_prefer_unseen(candidates, seen, rng)[:per_module_min])
    taken = {q.id for q in chosen}
    rest = _prefer_unseen((q for q in pool if q.id not in taken), seen, rng)
    chosen.extend(rest[: max(0, size - len(chosen))])
    rng.shuffle(chosen)
    return chosen


def option_order(question: Question, rng: random.Random) -> list[str]:
    """The order options are shown in; true/false keeps its natural order."""
    ids = [o.id for o in question.options]
    if question.type == "true_false":
        return ids
    rng.shuffle(ids)
    if question.type == "ordering" and len(ids) > 1 and ids == list(question.correct):
        # Shown in the right order already, the question would answer itself.
        ids.append(ids.pop(0))
    return ids
