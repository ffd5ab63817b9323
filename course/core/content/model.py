"""The course objects: frozen dataclasses, made once per edition by the loader. No Flask."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

LANGUAGES = ("kk", "ru")
QUESTION_TYPES = ("single", "multiple", "true_false", "ordering")
DEFAULT_PASS_MARK = 80
DEFAULT_QUIZ_MINUTES = 30
DEFAULT_EXAM_MINUTES = 60
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
TRUE_FALSE_OPTIONS = ("true", "false")
# The two fixed options of a true/false question, so authors need not write them.
TRUE_FALSE_TEXT = {
    "true": {"kk": "Дұрыс", "ru": "Верно"},
    "false": {"kk": "Дұрыс емес", "ru": "Неверно"},
}

Localized = dict[str, str]


# ---------------------------------------------------------------- the course objects


@dataclass(frozen=True)
class Lesson:
    id: str
    module_id: str
    minutes: int
    status_as_of: date
    title: Localized
    body: Localized  # Markdown source
    html: Localized  # rendered and sanitised once, at load


@dataclass(frozen=True)
class Option:
    id: str
    text: Localized


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    module_id: str
    prompt: Localized
    options: tuple[Option, ...]
    correct: tuple[str, ...]
    explanation: Localized
    legal_basis: Localized
    scenario_id: str | None = None
    scenario: Localized | None = None
    # A retired question leaves quizzes and pools, but past attempts and statistics
    # still find it by id.
    retired: bool = False

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Quiz:
    id: str
    module_id: str
    pass_mark: int
    questions: tuple[Question, ...]  # the active ones, in order
    time_limit_minutes: int = DEFAULT_QUIZ_MINUTES
    retired: tuple[Question, ...] = ()


@dataclass(frozen=True)
class Module:
    id: str
    status_as_of: date
    title: Localized
    summary: Localized
    lessons: tuple[Lesson, ...]
    quiz: Quiz | None
    reviewed: date | None = None  # the trainers' last review of the module; None: not recorded

    @property
    def minutes(self) -> int:
        return sum(lesson.minutes for lesson in self.lessons)

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((x for x in self.lessons if x.id == lesson_id), None)


@dataclass(frozen=True)
class FinalExam:
    id: str
    size: int
    pass_mark: int
    per_module_min: int
    pool: tuple[Question, ...]  # the active ones
    time_limit_minutes: int = DEFAULT_EXAM_MINUTES
    retired: tuple[Question, ...] = ()


@dataclass(frozen=True)
class Pocket:
    """The observer's pocket reference: a short printable summary, one page per language."""

    title: Localized
    body: Localized  # Markdown: `##` sections, paragraphs, `-` bullets, **bold**
    html: Localized

    def sections(self, lang: str) -> list[tuple[str, list[str]]]:
        """(heading, blocks) per `##` section; a block is a paragraph or a "- " bullet."""
        found: list[tuple[str, list[str]]] = []
        for raw in self.body[lang].split("\n"):
            line = raw.strip()
            if line.startswith("## "):
                found.append((line[3:].strip(), []))
            elif line and found:
                blocks = found[-1][1]
                if line.startswith("- ") or not blocks or blocks[-1].startswith("- "):
                    blocks.append(line)
                else:
                    blocks[-1] += " " + line
            elif not line and found and found[-1][1] and not found[-1][1][-1].startswith("- "):
                found[-1][1].append("")  # a paragraph ends
        return [(h, [b for b in blocks if b]) for h, blocks in found]


@dataclass(frozen=True)
class LegalChange:
    """A change in the law the trainers record (content/course.yaml `legal_changes`): a
    module whose text or review is older than it tells learners so."""

    id: str
    date: date
    text: Localized


@dataclass(frozen=True)
class GlossaryTerm:
    id: str
    term: Localized
    definition: Localized


@dataclass(frozen=True)
class Course:
    edition: int
    published: date
    languages: tuple[str, ...]
    title: Localized
    tagline: Localized
    description: Localized
    description_html: Localized
    modules: tuple[Module, ...]
    final_exam: FinalExam | None
    glossary: tuple[GlossaryTerm, ...] = ()
    root: Path | None = field(default=None, compare=False)  # the folder it was loaded from
    pocket: Pocket | None = None
    legal_changes: tuple[LegalChange, ...] = ()  # oldest first
    _lesson_order: tuple[Lesson, ...] = field(default=(), repr=False, compare=False)

    def module(self, module_id: str) -> Module | None:
        return next((m for m in self.modules if m.id == module_id), None)

    @cached_property
    def _questions(self) -> dict[str, Question]:
        found = {
            q.id: q for m in self.modules if m.quiz for q in (*m.quiz.questions, *m.quiz.retired)
        }
        if self.final_exam:
            exam = self.final_exam
            found.update((q.id, q) for q in (*exam.pool, *exam.retired))
        return found

    def question(self, question_id: str) -> Question | None:
        """Any question of any module quiz or of the final exam's pool, by id."""
        return self._questions.get(question_id)

    def lesson(self, module_id: str, lesson_id: str) -> Lesson | None:
        module = self.module(module_id)
        return module.lesson(lesson_id) if module else None

    @property
    def lessons(self) -> tuple[Lesson, ...]:
        """Every lesson in course order."""
        return self._lesson_order

    def neighbours(self, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
        """The lessons before and after this one in course order."""
        order = self._lesson_order
        i = next(i for i, x in enumerate(order) if x is lesson)
        return (order[i - 1] if i > 0 else None, order[i + 1] if i + 1 < len(order) else None)

    @property
    def law_as_of(self) -> date:
        """The date of the law the course reflects, as a certificate or the pocket
        reference prints it: the oldest module's, so the training never looks newer than
        it is."""
        return min(m.status_as_of for m in self.modules)

    @property
    def last_reviewed(self) -> date | None:
        """The review date the pocket reference prints: the oldest module's (None when a
        module's review is not recorded), for the same reason as `law_as_of`."""
        dates = [m.reviewed for m in self.modules]
        return None if None in dates or not dates else min(dates)

    def to_export(self) -> dict[str, Any]:
        """The whole course as plain data: the public `content export --format json` shape."""
        from course.core.content.export import course_export

        return course_export(self)
