"""Give-away cues in the question bank: does the key stand out by its length, its place
or its truth value? Pure functions over the loaded course; no Flask, no database.

A learner who has not read the course can still score if the keys follow a pattern:
the right option is the longest one, it sits in one place, or a true/false statement is
usually false. This module counts those patterns so tests and `course stats cues` can
keep them in check.

Definitions (each computed per language, since option texts differ by language):

- The bank: every active question of every module quiz and of the final exam's pool.
  Retired questions are left out: no learner sees them any more.
- Length: the number of characters of an option's text, surrounding spaces stripped.
- Length rank of the key (single choice): 1 + the number of *other* options at least as
  long as the key. Rank 1 therefore means the key is *strictly* the longest; a key tied
  with a distractor for the longest text gets rank 2, and counts as not the longest.
- Position of the key: its place (1 = first) in the language-neutral option list. The
  quiz shuffles options for every attempt, so this is the authors' order, not the order
  a learner sees; it is counted all the same, so the bank has no habit to break.
- True share: among true/false questions, the share whose key is "true".

"Overall" pools both languages: every single-choice question counts once per language
(so a question whose key is longest in Kazakh only counts once of its two); position and
the true/false key do not depend on the language and are counted once per question.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from course.core.content import LANGUAGES, Course, Question


@dataclass(frozen=True)
class BankItem:
    """A question and the quiz it belongs to (a module quiz's id, or the final exam's)."""

    quiz_id: str
    question: Question


@dataclass(frozen=True)
class KeyCue:
    """Where a single-choice question's key stands among its options, in one language."""

    quiz_id: str
    question_id: str
    lang: str
    position: int  # 1 = the first option in the language-neutral list
    options: int  # how many options the question has
    rank: int  # 1 = strictly the longest (see the module's docstring)
    key_length: int
    lengths: tuple[int, ...]  # every option's length, in option order

    @property
    def longest(self) -> bool:
        return self.rank == 1

    @property
    def longest_other(self) -> int:
        """The length of the longest option that is not the key."""
        others = [n for i, n in enumerate(self.lengths) if i != self.position - 1]
        return max(others, default=0)


@dataclass(frozen=True)
class CueReport:
    """The counts for one language, or for both pooled (`lang` is None)."""

    lang: str | None
    single: int = 0  # single-choice items counted (per language when pooled)
    longest: int = 0  # of which the key is strictly the longest
    positions: Counter = field(default_factory=Counter)  # position -> keys there
    ranks: Counter = field(default_factory=Counter)  # length rank -> keys with it
    true_false: int = 0
    true_keys: int = 0

    @property
    def longest_share(self) -> float | None:
        return self.longest / self.single if self.single else None

    @property
    def true_share(self) -> float | None:
        return self.true_keys / self.true_false if self.true_false else None

    def position_shares(self) -> dict[int, float]:
        total = sum(self.positions.values())
        return {p: n / total for p, n in sorted(self.positions.items())} if total else {}

    def rank_shares(self) -> dict[int, float]:
        total = sum(self.ranks.values())
        return {r: n / total for r, n in sorted(self.ranks.items())} if total else {}


def text_length(text: str) -> int:
    return len(text.strip())


def length_rank(lengths: Sequence[int], key_index: int) -> int:
    """1 + how many other options are at least as long as the key (1 = strictly longest)."""
    key = lengths[key_index]
    return 1 + sum(1 for i, n in enumerate(lengths) if i != key_index and n >= key)


def bank(course: Course) -> list[BankItem]:
    """Every active question the learners can get: module quizzes, then the exam pool."""
    items = [BankItem(m.quiz.id, q) for m in course.modules if m.quiz for q in m.quiz.questions]
    if course.final_exam:
        items += [BankItem(course.final_exam.id, q) for q in course.final_exam.pool]
    return items


def key_cue(item: BankItem, lang: str) -> KeyCue | None:
    """The key's position and length rank, for a single-choice question; else None."""
    question = item.question
    if question.type != "single" or len(question.correct) != 1:
        return None
    ids = [o.id for o in question.options]
    index = ids.index(question.correct[0])
    lengths = tuple(text_length(o.text.get(lang, "")) for o in question.options)
    return KeyCue(
        quiz_id=item.quiz_id,
        question_id=question.id,
        lang=lang,
        position=index + 1,
        options=len(ids),
        rank=length_rank(lengths, index),
        key_length=lengths[index],
        lengths=lengths,
    )


def key_cues(items: Iterable[BankItem], lang: str) -> list[KeyCue]:
    return [cue for item in items if (cue := key_cue(item, lang)) is not None]


def report(items: Iterable[BankItem], lang: str | None = None) -> CueReport:
    """The counts for one language; for None, both languages pooled (see the docstring)."""
    items = list(items)
    langs = LANGUAGES if lang is None else (lang,)
    cues = [cue for one in langs for cue in key_cues(items, one)]
    first = key_cues(items, langs[0])  # position does not depend on the language
    true_false = [i.question for i in items if i.question.type == "true_false"]
    return CueReport(
        lang=lang,
        single=len(cues),
        longest=sum(1 for c in cues if c.longest),
        positions=Counter(c.position for c in first),
        ranks=Counter(c.rank for c in cues),
        true_false=len(true_false),
        true_keys=sum(1 for q in true_false if tuple(q.correct) == ("true",)),
    )


def reports(course: Course) -> dict[str | None, CueReport]:
    """Each language's report, and the pooled one under None."""
    items = bank(course)
    found: dict[str | None, CueReport] = {lang: report(items, lang) for lang in LANGUAGES}
    found[None] = report(items, None)
    return found


def describe(found: CueReport) -> list[str]:
    """The report as a few lines of plain English, for trainers and for test messages."""

    def shares(values: dict[int, float]) -> str:
        return ", ".join(f"{k}: {v * 100:.0f}%" for k, v in values.items())

    def percent(value: float | None) -> str:
        return "-" if value is None else f"{value * 100:.0f}%"

    label = found.lang or "both languages"
    return [
        f"{label}: key is the longest option in {found.longest} of {found.single} "
        f"single-choice items ({percent(found.longest_share)})",
        f"{label}: key position {shares(found.position_shares())}",
        f"{label}: key length rank {shares(found.rank_shares())}",
        f"{label}: true/false keys 'true' in {found.true_keys} of {found.true_false} "
        f"({percent(found.true_share)})",
    ]
