"""Grading: a registry of question types, each judging plain data. No Flask, no database.

A type's grader takes the key (option ids, in order for ordering questions) and the
learner's choice, and says whether the answer is right. There is no partial credit: a
multiple-choice answer is right only when it names every correct option and no other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

Grader = Callable[[Sequence[str], Sequence[str]], bool]


def _same_set(key: Sequence[str], chosen: Sequence[str]) -> bool:
    return len(chosen) == len(set(chosen)) and set(chosen) == set(key)


def _same_sequence(key: Sequence[str], chosen: Sequence[str]) -> bool:
    return list(chosen) == list(key)


GRADERS: dict[str, Grader] = {
    "single": _same_set,
    "true_false": _same_set,
    "multiple": _same_set,
    "ordering": _same_sequence,
}


def grade(question_type: str, key: Sequence[str], chosen: Sequence[str] | None) -> bool:
    """Whether `chosen` answers a question of this type with this key; unanswered is wrong."""
    if not chosen:
        return False
    return GRADERS[question_type](key, chosen)


@dataclass(frozen=True)
class Score:
    correct: int
    total: int
    pass_mark: int  # percent

    @property
    def percent(self) -> int:
        """Rounded down, so a learner is never shown more than they scored."""
        return self.correct * 100 // self.total if self.total else 0

    @property
    def passed(self) -> bool:
        # Whole numbers only: 4 of 5 against a pass mark of 80 passes, with no rounding.
        return self.correct * 100 >= self.pass_mark * self.total
