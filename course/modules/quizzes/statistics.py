"""Item statistics for trainers: facility, discrimination, option choices. No Flask.

Facility is the share of answers that were right. The discrimination index compares the
best and the worst scorers of the same quiz: the top and bottom 27 % of graded attempts
(at least one attempt each) by score; D = share right among the top − share right among
the bottom, over the attempts of each group that drew the question. Everything is also
split by the language the attempt was submitted in, so a question that is harder in one
translation stands out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

GROUP_SHARE = 0.27


@dataclass(frozen=True)
class AnswerRecord:
    question_id: str
    correct: bool
    chosen: tuple[str, ...]


@dataclass(frozen=True)
class AttemptRecord:
    attempt_id: int
    quiz_id: str
    lang: str
    score: int  # percent
    answers: tuple[AnswerRecord, ...]


@dataclass
class Tally:
    answers: int = 0
    correct: int = 0
    options: Counter = field(default_factory=Counter)

    @property
    def facility(self) -> float | None:
        return self.correct / self.answers if self.answers else None

    def add(self, answer: AnswerRecord) -> None:
        self.answers += 1
        self.correct += answer.correct
        self.options.update(answer.chosen)


@dataclass
class QuestionStats:
    question_id: str
    quiz_id: str
    overall: Tally = field(default_factory=Tally)
    by_lang: dict[str, Tally] = field(default_factory=dict)
    discrimination: float | None = None


def _groups(attempts: Sequence[AttemptRecord]) -> tuple[list, list]:
    ranked = sorted(attempts, key=lambda a: (a.score, a.attempt_id))
    size = max(1, round(len(ranked) * GROUP_SHARE))
    return ranked[-size:], ranked[:size]


def _share_right(group: Iterable[AttemptRecord], question_id: str) -> float | None:
    marks = [a.correct for g in group for a in g.answers if a.question_id == question_id]
    return sum(marks) / len(marks) if marks else None


def item_statistics(attempts: Iterable[AttemptRecord]) -> list[QuestionStats]:
    by_quiz: dict[str, list[AttemptRecord]] = {}
    for attempt in attempts:
        by_quiz.setdefault(attempt.quiz_id, []).append(attempt)
    results: list[QuestionStats] = []
    for quiz_id, quiz_attempts in by_quiz.items():
        stats: dict[str, QuestionStats] = {}
        for attempt in quiz_attempts:
            for answer in attempt.answers:
                item = stats.setdefault(
                    answer.question_id, QuestionStats(answer.question_id, quiz_id)
                )
                item.overall.add(answer)
                item.by_lang.setdefault(attempt.lang, Tally()).add(answer)
        upper, lower = _groups(quiz_attempts)
        for item in stats.values():
            high, low = _share_right(upper, item.question_id), _share_right(lower, item.question_id)
            if high is not None and low is not None and len(quiz_attempts) > 1:
                item.discrimination = high - low
        results.extend(stats.values())
    return results
