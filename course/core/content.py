"""The course as files: load `content/`, validate it, and serve it as frozen objects.

Layout (documented with an example in content/README.md):

    content/course.yaml              language-neutral: edition, modules, lesson order
    content/quizzes/<module>.yaml    language-neutral: question ids, types, options, keys
    content/quizzes/final-exam.yaml  language-neutral: the final exam's pool and rules
    content/media/                   images, shared by both languages
    content/<lang>/course.yaml       course title, tagline, description
    content/<lang>/<module>/module.yaml, <lesson>.md, quiz.yaml
    content/<lang>/final-exam.yaml

Structure and answer keys exist once, so they cannot drift between languages; every
text file is checked against that structure. No Flask import here: the loader is used
by the CLI before any app exists, and by tests without one.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from course.core import files, markdown

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

    def to_export(self) -> dict[str, Any]:
        """The whole course as plain data: the public `content export --format json` shape."""

        def question(q: Question) -> dict[str, Any]:
            return {
                "id": q.id,
                "type": q.type,
                "module": q.module_id,
                "scenario_id": q.scenario_id,
                "scenario": q.scenario,
                "prompt": q.prompt,
                "options": [{"id": o.id, "text": o.text} for o in q.options],
                "correct": list(q.correct),
                "explanation": q.explanation,
                "legal_basis": q.legal_basis,
                "retired": q.retired,
            }

        return {
            "edition": self.edition,
            "published": self.published.isoformat(),
            "languages": list(self.languages),
            "title": self.title,
            "tagline": self.tagline,
            "description": self.description,
            "modules": [
                {
                    "id": m.id,
                    "title": m.title,
                    "summary": m.summary,
                    "status_as_of": m.status_as_of.isoformat(),
                    "lessons": [
                        {
                            "id": x.id,
                            "title": x.title,
                            "minutes": x.minutes,
                            "status_as_of": x.status_as_of.isoformat(),
                            "body": x.body,
                        }
                        for x in m.lessons
                    ],
                    "quiz": None
                    if m.quiz is None
                    else {
                        "id": m.quiz.id,
                        "pass_mark": m.quiz.pass_mark,
                        "time_limit_minutes": m.quiz.time_limit_minutes,
                        "questions": [question(q) for q in (*m.quiz.questions, *m.quiz.retired)],
                    },
                }
                for m in self.modules
            ],
            "glossary": [
                {"id": g.id, "term": g.term, "definition": g.definition} for g in self.glossary
            ],
            "final_exam": None
            if self.final_exam is None
            else {
                "id": self.final_exam.id,
                "size": self.final_exam.size,
                "pass_mark": self.final_exam.pass_mark,
                "time_limit_minutes": self.final_exam.time_limit_minutes,
                "per_module_min": self.final_exam.per_module_min,
                "pool": [question(q) for q in (*self.final_exam.pool, *self.final_exam.retired)],
            },
        }


# ---------------------------------------------------------------- problems


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(Exception):
    """The content is invalid; `problems` says where and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# ---------------------------------------------------------------- YAML with line numbers


class _Map(dict):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line: int = 1
    lines: dict

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


def _empty_map() -> _Map:
    result = _Map()
    result.lines = {}
    return result


class _Seq(list):
    line: int = 1
    lines: list


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int):
        self.key, self.line = key, line


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> _Map:
    result = _Map()
    result.line = node.start_mark.line + 1
    result.lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, bool):  # `true:`/`false:` keys are option ids, not booleans
            key = str(key).lower()
        try:
            hash(key)  # `? [a, b]` is a list key; SafeLoader refuses it this same way
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                "found unhashable key",
                key_node.start_mark,
            ) from None
        if key in result:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


# ---------------------------------------------------------------- the loader


class _Loader:
    """Reads one content folder, collecting every problem instead of stopping at the first."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self.seen_question_ids: dict[str, str] = {}
        self.lesson_keys: set[tuple[str, str]] = set()
        # (module, lesson, lang) -> (file, number of lines before the body)
        self.lesson_sources: dict[tuple[str, str, str], tuple[Path, int]] = {}
        self.rendered_refs: dict[tuple[str, str, str], list[markdown.Reference]] = {}
        self.glossary_ids: set[str] = set()

    # -- helpers

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root.parent).as_posix()
        except ValueError:
            return path.as_posix()

    def problem(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(self.rel(path), line, message))

    def read_text(self, path: Path) -> str | None:
        """The file's text, or None (with a problem) when it is not UTF-8."""
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            self.problem(path, e.object[: e.start].count(b"\n") + 1, f"not UTF-8: {e.reason}")
            return None

    def read_yaml(self, path: Path, text: str | None = None, line_offset: int = 0) -> Any:
        if text is None:
            if not path.is_file():
                self.problem(path, 0, "file is missing")
                return None
            text = self.read_text(path)
            if text is None:
                return None
        try:
            data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
        except _DuplicateKey as e:
            self.problem(path, e.line + line_offset, f"duplicate key or id '{e.key}'")
            return None
        # PyYAML's own constructors raise ValueError for a date or time that cannot be
        # (2026-02-30, 25:00), and its composer recurses once per level of nesting.
        except (yaml.YAMLError, ValueError, RecursionError) as e:
            mark = getattr(e, "problem_mark", None)
            line = mark.line + 1 + line_offset if mark else 1 + line_offset
            self.problem(path, line, f"invalid YAML: {getattr(e, 'problem', e)}")
            return None
        if data is None:
            self.problem(path, 1 + line_offset, "no data (the file or section is empty)")
            return None
        if line_offset and isinstance(data, _Map):
            data.line += line_offset
            data.lines = {k: v + line_offset for k, v in data.lines.items()}
        return data

    def mapping(self, data: Any, path: Path, line: int, what: str) -> _Map | None:
        if isinstance(data, _Map):
            return data
        if data is None:  # read_yaml has said why
            return None
        self.problem(path, line, f"{what} must be a mapping")
        return None

    def text(self, data: _Map, key: str, path: Path, *, multiline: bool = False) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.problem(path, data.line_of(key), f"'{key}' is missing or empty")
            return ""
        value = value.strip()
        if not multiline and "\n" in value:
            self.problem(path, data.line_of(key), f"'{key}' must be a single line")
        return value

    def integer(self, data: _Map, key: str, path: Path, low: int, high: int, default=None) -> int:
        value = data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.problem(path, data.line_of(key), f"'{key}' must be a whole number {low}–{high}")
            return default if default is not None else low
        return value

    def a_date(self, data: _Map, key: str, path: Path) -> date:
        value = data.get(key)
        if not isinstance(value, date):
            self.problem(path, data.line_of(key), f"'{key}' must be a date (YYYY-MM-DD)")
            return date.min
        return value

    def an_id(self, value: Any, path: Path, line: int, what: str) -> str | None:
        if isinstance(value, str) and ID_PATTERN.match(value):
            return value
        self.problem(
            path, line, f"{what} '{value}' must be lower-case ASCII letters, digits and dashes"
        )
        return None

    def unique_ids(self, items: _Seq, key: str | None, path: Path, what: str) -> list[str]:
        """Valid ids from a YAML list (of ids, or of mappings with `key`), duplicates reported."""
        ids: list[str] = []
        for item, line in zip(items, items.lines, strict=True):
            raw = item.get(key) if key and isinstance(item, _Map) else item
            found = self.an_id(raw, path, line, what)
            if found is None:
                continue
            if found in ids:
                self.problem(path, line, f"duplicate {what} '{found}'")
                continue
            ids.append(found)
        return ids

    # -- the whole course

    def load(self) -> Course | None:
        if not self.root.is_dir():
            self.problem(self.root, 0, "content folder not found")
            return None
        structure_path = self.root / "course.yaml"
        structure = self.mapping(self.read_yaml(structure_path), structure_path, 1, "course.yaml")
        if structure is None:
            return None
        edition = self.integer(structure, "edition", structure_path, 1, 10_000)
        published = self.a_date(structure, "published", structure_path)
        langs = structure.get("languages")
        if not isinstance(langs, list) or list(langs) != list(LANGUAGES):
            self.problem(
                structure_path,
                structure.line_of("languages"),
                f"'languages' must be {list(LANGUAGES)}",
            )
        texts = {lang: self.course_text(lang) for lang in LANGUAGES}

        modules: list[Module] = []
        raw_modules = structure.get("modules")
        if not isinstance(raw_modules, _Seq) or not raw_modules:
            self.problem(structure_path, structure.line_of("modules"), "'modules' must be a list")
            raw_modules = _Seq()
            raw_modules.lines = []  # an empty list with no lines, so the loop below is a no-op
        module_ids = self.unique_ids(raw_modules, "id", structure_path, "module id")
        for raw, line in zip(raw_modules, raw_modules.lines, strict=True):
            if not isinstance(raw, _Map) or raw.get("id") not in module_ids:
                if not isinstance(raw, _Map):
                    self.problem(structure_path, line, "a module must be a mapping")
                continue
            module_ids.remove(raw["id"])  # a duplicate later in the list is skipped
            modules.append(self.module(raw, structure_path))
        self.check_stray_files({m.id: m for m in modules})

        lesson_order = tuple(lesson for m in modules for lesson in m.lessons)
        glossary = self.glossary()
        for m in modules:
            for lesson in m.lessons:
                self.check_references(m.id, lesson)
        final_exam = self.final_exam({m.id for m in modules})
        pocket = self.pocket()
        if self.problems:
            return None
        return Course(
            edition=edition,
            published=published,
            languages=LANGUAGES,
            title={lang: texts[lang][0] for lang in LANGUAGES},
            tagline={lang: texts[lang][1] for lang in LANGUAGES},
            description={lang: texts[lang][2] for lang in LANGUAGES},
            description_html={lang: markdown.render(texts[lang][2]).html for lang in LANGUAGES},
            modules=tuple(modules),
            final_exam=final_exam,
            glossary=glossary,
            root=self.root,
            pocket=pocket,
            _lesson_order=lesson_order,
        )

    def glossary(self) -> tuple[GlossaryTerm, ...]:
        """content/glossary.yaml lists term ids in order; each language file gives the text."""
        path = self.root / "glossary.yaml"
        if not path.exists():
            return ()
        data = self.mapping(self.read_yaml(path), path, 1, "glossary.yaml")
        raw = data.get("terms") if data is not None else None
        if not isinstance(raw, _Seq) or not raw:
            if data is not None:
                self.problem(path, data.line_of("terms"), "'terms' must list term ids")
            return ()
        ids = self.unique_ids(raw, None, path, "term id")
        self.glossary_ids = set(ids)
        texts: dict[str, dict[str, tuple[str, str]]] = {}
        for lang in LANGUAGES:
            tpath = self.root / lang / "glossary.yaml"
            loaded = self.mapping(self.read_yaml(tpath), tpath, 1, "glossary")
            given = loaded.get("terms") if loaded is not None else None
            if not isinstance(given, _Map):
                if loaded is not None:
                    self.problem(tpath, loaded.line_of("terms"), "'terms' must be a mapping")
                continue
            texts[lang] = {}
            for term_id in ids:
                entry = given.get(term_id)
                if not isinstance(entry, _Map):
                    self.problem(tpath, given.line, f"term '{term_id}' has no text in '{lang}'")
                    continue
                texts[lang][term_id] = (
                    self.text(entry, "term", tpath),
                    self.text(entry, "definition", tpath, multiline=True),
                )
            for extra in sorted(set(given) - set(ids), key=str):  # keys may be numbers too
                self.problem(tpath, given.line_of(extra), f"unknown term '{extra}'")
        if len(texts) != len(LANGUAGES):
            return ()
        return tuple(
            GlossaryTerm(
                term_id,
                {lang: texts[lang].get(term_id, ("", ""))[0] for lang in LANGUAGES},
                {lang: texts[lang].get(term_id, ("", ""))[1] for lang in LANGUAGES},
            )
            for term_id in ids
        )

    def pocket(self) -> Pocket | None:
        """<lang>/pocket.md: optional, but then in both languages with the same sections."""
        paths = {lang: self.root / lang / "pocket.md" for lang in LANGUAGES}
        present = [lang for lang in LANGUAGES if paths[lang].is_file()]
        if not present:
            return None
        titles, bodies = {}, {}
        for lang in LANGUAGES:
            if lang not in present:
                self.problem(paths[lang], 0, f"the pocket reference is missing in '{lang}'")
                continue
            text = self.read_text(paths[lang])
            if text is None:
                continue
            match = re.match(r"---\n(.*?\n)---\n", text, re.S)
            data = self.read_yaml(paths[lang], match.group(1), 1) if match else None
            if not isinstance(data, _Map):
                self.problem(paths[lang], 1, "front matter with a title is missing")
                continue
            titles[lang] = self.text(data, "title", paths[lang])
            bodies[lang] = text[match.end() :].strip()
        if len(bodies) != len(LANGUAGES):
            return None
        counts = {lang: len(re.findall(r"^## ", bodies[lang], re.M)) for lang in LANGUAGES}
        if counts["kk"] != counts["ru"] or not counts["kk"]:
            self.problem(
                paths["ru"],
                1,
                f"the pocket reference has {counts['kk']} sections in kk and "
                f"{counts['ru']} in ru; it needs the same sections in both",
            )
        return Pocket(
            titles, bodies, {lang: markdown.render(bodies[lang]).html for lang in LANGUAGES}
        )

    def course_text(self, lang: str) -> tuple[str, str, str]:
        path = self.root / lang / "course.yaml"
        data = self.mapping(self.read_yaml(path), path, 1, "course.yaml")
        if data is None:
            return "", "", ""
        return (
            self.text(data, "title", path),
            self.text(data, "tagline", path),
            self.text(data, "description", path, multiline=True),
        )

    # -- modules and lessons

    def module(self, raw: _Map, structure_path: Path) -> Module:
        module_id = raw["id"]
        status_as_of = self.a_date(raw, "status_as_of", structure_path)
        titles: Localized = {}
        summaries: Localized = {}
        for lang in LANGUAGES:
            path = self.root / lang / module_id / "module.yaml"
            data = self.mapping(self.read_yaml(path), path, 1, "module.yaml")
            if data is not None:
                titles[lang] = self.text(data, "title", path)
                summaries[lang] = self.text(data, "summary", path, multiline=True)
        raw_lessons = raw.get("lessons")
        lessons: list[Lesson] = []
        if not isinstance(raw_lessons, _Seq) or not raw_lessons:
            self.problem(structure_path, raw.line_of("lessons"), "'lessons' must be a list")
        else:
            for lesson_id in self.unique_ids(raw_lessons, None, structure_path, "lesson id"):
                # Links are checked against the structure: a lesson missing in one
                # language is one problem, not one more for every link to it.
                self.lesson_keys.add((module_id, lesson_id))
                lesson = self.lesson(module_id, lesson_id)
                if lesson is not None:
                    lessons.append(lesson)
        quiz_path = self.root / "quizzes" / f"{module_id}.yaml"
        quiz = self.quiz(module_id, quiz_path) if quiz_path.exists() else None
        return Module(module_id, status_as_of, titles, summaries, tuple(lessons), quiz)

    def lesson(self, module_id: str, lesson_id: str) -> Lesson | None:
        meta: dict[str, _Map] = {}
        bodies: Localized = {}
        for lang in LANGUAGES:
            path = self.root / lang / module_id / f"{lesson_id}.md"
            if not path.is_file():
                self.problem(path, 0, f"lesson '{lesson_id}' is missing in '{lang}'")
                continue
            text = self.read_text(path)
            if text is None:
                continue
            match = re.match(r"---\n(.*?\n)---\n", text, re.S)
            if not match:
                self.problem(path, 1, "front matter (between '---' lines) is missing")
                continue
            data = self.mapping(
                self.read_yaml(path, match.group(1), line_offset=1), path, 1, "front matter"
            )
            if data is None:
                continue
            if data.get("id") != lesson_id:
                self.problem(path, data.line_of("id"), f"'id' must be '{lesson_id}'")
            meta[lang] = data
            bodies[lang] = text[match.end() :]
            body_start = text[: match.end()].count("\n")
            self.lesson_sources[(module_id, lesson_id, lang)] = (path, body_start)
            if not bodies[lang].strip():
                self.problem(path, body_start + 1, "the lesson has no text")
        if len(meta) != len(LANGUAGES):
            return None
        paths = {lang: self.root / lang / module_id / f"{lesson_id}.md" for lang in LANGUAGES}
        titles = {lang: self.text(meta[lang], "title", paths[lang]) for lang in LANGUAGES}
        minutes = {
            lang: self.integer(meta[lang], "minutes", paths[lang], 1, 240) for lang in LANGUAGES
        }
        as_of = {lang: self.a_date(meta[lang], "status_as_of", paths[lang]) for lang in LANGUAGES}
        for key, values in (("minutes", minutes), ("status_as_of", as_of)):
            if len(set(values.values())) > 1:
                self.problem(
                    paths["ru"],
                    meta["ru"].line_of(key),
                    f"'{key}' differs between languages: {values['kk']} (kk), {values['ru']} (ru)",
                )
        rendered = {lang: markdown.render(bodies[lang]) for lang in LANGUAGES}
        for lang in LANGUAGES:
            self.rendered_refs[(module_id, lesson_id, lang)] = rendered[lang].references
        return Lesson(
            id=lesson_id,
            module_id=module_id,
            minutes=minutes["kk"],
            status_as_of=as_of["kk"],
            title=titles,
            body=bodies,
            html={lang: rendered[lang].html for lang in LANGUAGES},
        )

    def check_references(self, module_id: str, lesson: Lesson) -> None:
        images: dict[str, list[str]] = {}
        for lang in LANGUAGES:
            path, body_start = self.lesson_sources[(module_id, lesson.id, lang)]
            source_dir = f"{lang}/{module_id}"
            images[lang] = []
            for ref in self.rendered_refs[(module_id, lesson.id, lang)]:
                line = body_start + ref.line
                if ref.target.startswith(markdown.GLOSSARY_SCHEME):
                    term_id = ref.target[len(markdown.GLOSSARY_SCHEME) :]
                    if ref.kind == "image" or term_id not in self.glossary_ids:
                        self.problem(path, line, f"unknown glossary term '{term_id}'")
                    continue
                if markdown.is_external(ref.target) or ref.target.startswith("#"):
                    if ref.kind == "image":
                        self.problem(path, line, "images must be files under content/media/")
                    continue
                target = markdown.resolve(source_dir, ref.target)
                if ref.kind == "image":
                    images[lang].append(target)
                    if not ref.alt:
                        self.problem(path, line, f"image '{ref.target}' has no alt text")
                    # os.path.isfile: Path.is_file raises OSError for a name too long
                    if not target.startswith("media/") or not os.path.isfile(self.root / target):
                        self.problem(path, line, f"image '{ref.target}' not found in media/")
                    continue
                parts = target.split("/")
                if (
                    len(parts) != 3
                    or parts[0] != lang
                    or not parts[2].endswith(".md")
                    or (parts[1], parts[2][:-3]) not in self.lesson_keys
                ):
                    self.problem(path, line, f"broken link '{ref.target}'")
        if sorted(images["kk"]) != sorted(images["ru"]):
            path, body_start = self.lesson_sources[(module_id, lesson.id, "ru")]
            self.problem(
                path, body_start + 1, "the two languages of this lesson show different images"
            )

    def check_stray_files(self, modules: dict[str, Module]) -> None:
        """A file in a language folder that the structure does not name is a drift."""
        for lang in LANGUAGES:
            folder = self.root / lang
            if not folder.is_dir():
                self.problem(folder, 0, f"language folder '{lang}' is missing")
                continue
            for entry in sorted(folder.iterdir()):
                if files.is_hidden(entry):  # a temporary file of an interrupted save
                    continue
                if entry.name in ("course.yaml", "final-exam.yaml", "glossary.yaml", "pocket.md"):
                    continue
                if not entry.is_dir() or entry.name not in modules:
                    self.problem(entry, 0, "not listed in course.yaml")
                    continue
                known = {f"{lid}.md" for mid, lid in self.lesson_keys if mid == entry.name}
                known |= {"module.yaml", "quiz.yaml"}
                for file in sorted(entry.iterdir()):
                    if files.is_hidden(file):
                        continue
                    if file.name not in known and file.suffix == ".md":
                        self.problem(file, 0, "lesson not listed in course.yaml")
                    elif file.name not in known:
                        self.problem(file, 0, "unexpected file")

    # -- quizzes

    def quiz(self, module_id: str, path: Path) -> Quiz | None:
        data = self.mapping(self.read_yaml(path), path, 1, "quiz")
        if data is None:
            return None
        quiz_id = self.an_id(data.get("id"), path, data.line_of("id"), "quiz id")
        pass_mark = self.integer(data, "pass_mark", path, 1, 100, DEFAULT_PASS_MARK)
        minutes = self.integer(data, "time_limit_minutes", path, 1, 600, DEFAULT_QUIZ_MINUTES)
        texts = {lang: self.root / lang / module_id / "quiz.yaml" for lang in LANGUAGES}
        questions = self.questions(data, "questions", path, texts, module_id)
        active = tuple(q for q in questions if not q.retired)
        if questions and not active:
            self.problem(path, data.line_of("questions"), "every question is retired")
        if quiz_id is None:
            return None
        retired = tuple(q for q in questions if q.retired)
        return Quiz(quiz_id, module_id, pass_mark, active, minutes, retired)

    def final_exam(self, module_ids: set[str]) -> FinalExam | None:
        path = self.root / "quizzes" / "final-exam.yaml"
        if not path.exists():
            return None
        data = self.mapping(self.read_yaml(path), path, 1, "final exam")
        if data is None:
            return None
        exam_id = self.an_id(data.get("id", "final-exam"), path, data.line_of("id"), "exam id")
        size = self.integer(data, "size", path, 1, 500)
        pass_mark = self.integer(data, "pass_mark", path, 1, 100, DEFAULT_PASS_MARK)
        per_module_min = self.integer(data, "per_module_min", path, 0, 50, 0)
        minutes = self.integer(data, "time_limit_minutes", path, 1, 600, DEFAULT_EXAM_MINUTES)
        texts = {lang: self.root / lang / "final-exam.yaml" for lang in LANGUAGES}
        everything = self.questions(data, "pool", path, texts, None, module_ids)
        pool = [q for q in everything if not q.retired]
        if len(pool) < size:
            self.problem(
                path, data.line_of("size"), f"'size' {size} exceeds the pool ({len(pool)})"
            )
        if per_module_min * len(module_ids) > size:
            self.problem(
                path, data.line_of("per_module_min"), "per-module minimums exceed the exam size"
            )
        for module_id in sorted(module_ids):
            have = sum(1 for q in pool if q.module_id == module_id)
            if have < per_module_min:
                self.problem(
                    path,
                    data.line_of("pool"),
                    f"module '{module_id}' has {have} pool questions, fewer than {per_module_min}",
                )
        if exam_id is None:
            return None
        retired = tuple(q for q in everything if q.retired)
        return FinalExam(exam_id, size, pass_mark, per_module_min, tuple(pool), minutes, retired)

    def questions(
        self,
        data: _Map,
        key: str,
        path: Path,
        text_paths: dict[str, Path],
        module_id: str | None,
        module_ids: set[str] | None = None,
    ) -> list[Question]:
        raw = data.get(key)
        if not isinstance(raw, _Seq) or not raw:
            self.problem(path, data.line_of(key), f"'{key}' must be a non-empty list")
            return []
        texts: dict[str, _Map] = {}
        for lang, text_path in text_paths.items():
            loaded = self.mapping(self.read_yaml(text_path), text_path, 1, "question texts")
            if loaded is None:
                continue
            for section in ("questions", "scenarios"):
                if section in loaded and not isinstance(loaded[section], _Map):
                    self.problem(text_path, loaded.line_of(section), f"'{section}' must be a map")
                    loaded[section] = _empty_map()
            texts[lang] = loaded
        questions: list[Question] = []
        for item, line in zip(raw, raw.lines, strict=True):
            if not isinstance(item, _Map):
                self.problem(path, line, "a question must be a mapping")
                continue
            question = self.question(item, path, texts, text_paths, module_id, module_ids)
            if question is not None:
                questions.append(question)
        used = {q.id for q in questions}
        used_scenarios = {q.scenario_id for q in questions if q.scenario_id}
        for lang, loaded in texts.items():
            for section, known in (("questions", used), ("scenarios", used_scenarios)):
                extra = loaded.get(section) or _empty_map()
                for unknown in sorted(set(extra) - known, key=str):  # keys may be numbers
                    self.problem(
                        text_paths[lang],
                        extra.line_of(unknown),
                        f"unknown {section[:-1]} '{unknown}'",
                    )
        return questions

    def question(
        self,
        item: _Map,
        path: Path,
        texts: dict[str, _Map],
        text_paths: dict[str, Path],
        module_id: str | None,
        module_ids: set[str] | None,
    ) -> Question | None:
        qid = self.an_id(item.get("id"), path, item.line_of("id"), "question id")
        if qid is None:
            return None
        if qid in self.seen_question_ids:
            self.problem(path, item.line_of("id"), f"duplicate question id '{qid}'")
            return None
        self.seen_question_ids[qid] = path.name
        qtype = item.get("type")
        if qtype not in QUESTION_TYPES:
            self.problem(path, item.line_of("type"), f"'type' must be one of {QUESTION_TYPES}")
            return None
        if module_id is None:
            module_id = item.get("module")
            if not isinstance(module_id, str) or module_id not in (module_ids or set()):
                self.problem(path, item.line_of("module"), f"unknown module '{module_id}'")
                return None
        # -- options and the key
        if qtype == "true_false":
            option_ids = list(TRUE_FALSE_OPTIONS)
            if "options" in item:
                self.problem(path, item.line_of("options"), "true/false questions take no options")
        else:
            raw_options = item.get("options")
            if not isinstance(raw_options, _Seq) or len(raw_options) < 2:
                self.problem(path, item.line_of("options"), "'options' must list at least 2 ids")
                return None
            option_ids = self.unique_ids(raw_options, None, path, "option id")
        raw_correct = item.get("correct")
        line = item.line_of("correct")
        if not isinstance(raw_correct, list) or not raw_correct:
            self.problem(path, line, "'correct' must list the right option ids")
            return None
        correct = [str(c).lower() if isinstance(c, bool) else c for c in raw_correct]
        if any(c not in option_ids for c in correct) or len(set(correct)) != len(correct):
            self.problem(path, line, "'correct' must name distinct ids from 'options'")
            return None
        if qtype in ("single", "true_false") and len(correct) != 1:
            self.problem(path, line, f"a {qtype} question has exactly one correct option")
        if qtype == "ordering" and sorted(correct) != sorted(option_ids):
            self.problem(path, line, "an ordering question's 'correct' lists every option once")
        retired = item.get("retired", False)
        if not isinstance(retired, bool):
            self.problem(path, item.line_of("retired"), "'retired' must be true or false")
        scenario_id = item.get("scenario")
        if scenario_id is not None:
            scenario_id = self.an_id(scenario_id, path, item.line_of("scenario"), "scenario id")
        # -- the texts in each language
        localized: dict[str, Localized] = {
            k: {} for k in ("prompt", "explanation", "legal_basis", "scenario")
        }
        option_text: dict[str, Localized] = {o: {} for o in option_ids}
        for lang in LANGUAGES:
            if lang not in texts:
                continue
            tpath = text_paths[lang]
            qtexts = texts[lang].get("questions") or _empty_map()
            entry = qtexts.get(qid)
            if not isinstance(entry, _Map):
                self.problem(tpath, qtexts.line, f"question '{qid}' has no text in '{lang}'")
                continue
            for k in ("prompt", "explanation", "legal_basis"):
                localized[k][lang] = self.text(entry, k, tpath, multiline=True)
            if qtype == "true_false":
                for o in option_ids:
                    option_text[o][lang] = TRUE_FALSE_TEXT[o][lang]
                if "options" in entry:
                    self.problem(tpath, entry.line_of("options"), "true/false takes no options")
            else:
                given = entry.get("options")
                if not isinstance(given, _Map):
                    self.problem(tpath, entry.line_of("options"), f"'{qid}': options missing")
                    continue
                for o in option_ids:
                    option_text[o][lang] = self.text(given, o, tpath) if o in given else ""
                    if o not in given:
                        self.problem(tpath, given.line, f"'{qid}': option '{o}' has no text")
                for extra in sorted(set(given) - set(option_ids), key=str):
                    self.problem(tpath, given.line_of(extra), f"'{qid}': unknown option '{extra}'")
            if scenario_id:
                scenarios = texts[lang].get("scenarios") or _empty_map()
                if not isinstance(scenarios.get(scenario_id), str):
                    self.problem(tpath, scenarios.line, f"scenario '{scenario_id}' has no text")
                else:
                    localized["scenario"][lang] = scenarios[scenario_id].strip()
        return Question(
            id=qid,
            type=qtype,
            module_id=module_id,
            prompt=localized["prompt"],
            options=tuple(Option(o, option_text[o]) for o in option_ids),
            correct=tuple(correct),
            explanation=localized["explanation"],
            legal_basis=localized["legal_basis"],
            scenario_id=scenario_id,
            scenario=localized["scenario"] if scenario_id else None,
            retired=retired is True,
        )


def check_content(root: Path) -> list[Problem]:
    """Every problem in the content folder; an empty list means it is valid."""
    loader = _Loader(Path(root))
    loader.load()
    return sorted(set(loader.problems))


def load_course(root: Path) -> Course:
    """The course in `root`, or ContentError naming each problem with file and line."""
    loader = _Loader(Path(root))
    course = loader.load()
    if course is None:
        raise ContentError(loader.problems or [Problem(str(root), 0, "content is invalid")])
    return course
