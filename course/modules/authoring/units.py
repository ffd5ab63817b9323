"""The draft as translatable units, and edits to it as new file texts.

A *unit* is one text that exists once per language: a lesson's title or body, a module's
summary, a question's prompt, one option, an explanation, a legal basis, a scenario, a
glossary term. Its key is built from content ids only (`question:wo-legitimacy:option:b`),
and its file path from the structure files, never from what a user typed.

Unlike core/content.py, reading here is tolerant: a draft in progress may be invalid
(a question without its Russian text yet), and the editor must still open it. Nothing
here imports Flask; nothing here writes files (see services.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from course.core.content import ID_PATTERN, LANGUAGES, layout
from course.modules.authoring.yamltext import (  # noqa: F401 (units' names for callers)
    dump_yaml,
    leading_comments,
    load_yaml,
    set_module_date,
)

FINAL_EXAM = layout.FINAL_EXAM


def normalize(text: str | None) -> str:
    """The form a text is stored and compared in: LF line ends, no trailing spaces."""
    if text is None:
        return ""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    return "\n".join(line.rstrip() for line in lines)


def fingerprint(text: str | None) -> str:
    """A short version id of a text ('' for a missing one)."""
    text = normalize(text)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16] if text else ""


def is_id(value: Any) -> bool:
    return isinstance(value, str) and bool(ID_PATTERN.match(value))


# ---------------------------------------------------------------- lessons as files


@dataclass
class LessonFile:
    front: dict
    body: str

    @classmethod
    def parse(cls, text: str | None) -> LessonFile:
        match = layout.FRONT_MATTER.match(text or "")
        if not match:
            return cls({}, normalize(text))
        front = load_yaml(match.group(1))
        return cls(front if isinstance(front, dict) else {}, normalize(text[match.end() :]))

    def render(self) -> str:
        return f"---\n{dump_yaml(self.front)}---\n\n{normalize(self.body)}\n"


# ---------------------------------------------------------------- the draft's structure


@dataclass(frozen=True)
class QuestionSet:
    """A module quiz, or the final exam's pool: where its questions are kept."""

    id: str  # the module id, or "final-exam"
    structure_file: str
    list_key: str
    text_file: str  # with {lang}

    @classmethod
    def for_module(cls, module_id: str) -> QuestionSet:
        return cls(
            module_id,
            layout.quiz_structure(module_id),
            "questions",
            layout.quiz_text("{lang}", module_id),
        )

    @classmethod
    def final_exam(cls) -> QuestionSet:
        return cls(
            FINAL_EXAM, layout.quiz_structure(FINAL_EXAM), "pool", layout.final_exam_text("{lang}")
        )

    def text_path(self, lang: str) -> str:
        return self.text_file.format(lang=lang)


@dataclass
class DraftModule:
    id: str
    status_as_of: date | None
    lessons: list[str]
    has_quiz: bool
    reviewed: date | None = None


@dataclass
class Unit:
    key: str
    module_id: str | None  # the module it belongs to; None for course-wide text
    page: str  # the editor page that shows it: "lesson:<m>/<l>", "question:<id>", …
    kind: str  # title, body, summary, prompt, option, explanation, legal_basis, …
    file: str  # relative path with {lang}
    path: tuple[str, ...]  # keys inside the file; ("front", "title") or ("body",) for a lesson
    text: dict[str, str] = field(default_factory=dict)  # normalized; "" when missing

    def file_for(self, lang: str) -> str:
        return self.file.format(lang=lang)


class Draft:
    """The working copy as the editor sees it: structure, questions and every unit."""

    def __init__(self, root: Path, overlay: dict[str, str] | None = None):
        self.root = Path(root)
        # Files changed by a save in progress, read instead of the disk's copies.
        self.overlay = dict(overlay or {})
        structure = load_yaml(self.read(layout.STRUCTURE))
        self.structure: dict = structure if isinstance(structure, dict) else {}
        self.modules: list[DraftModule] = []
        for raw in self.structure.get("modules") or []:
            if not isinstance(raw, dict) or not is_id(raw.get("id")):
                continue
            as_of, reviewed = raw.get("status_as_of"), raw.get("reviewed")
            lessons = [x for x in raw.get("lessons") or [] if is_id(x)]
            self.modules.append(
                DraftModule(
                    raw["id"],
                    as_of if isinstance(as_of, date) else None,
                    lessons,
                    self.read(layout.quiz_structure(raw["id"])) is not None,
                    reviewed if isinstance(reviewed, date) else None,
                )
            )
        self._units: dict[str, Unit] | None = None

    # -- files

    def read(self, relative: str) -> str | None:
        if relative in self.overlay:
            return self.overlay[relative]
        path = self.root / relative
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def module(self, module_id: str) -> DraftModule | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def question_sets(self) -> list[QuestionSet]:
        sets = [QuestionSet.for_module(m.id) for m in self.modules if m.has_quiz]
        if self.read(layout.quiz_structure(FINAL_EXAM)) is not None:
            sets.append(QuestionSet.final_exam())
        return sets

    def question_set(self, set_id: str) -> QuestionSet | None:
        return next((s for s in self.question_sets() if s.id == set_id), None)

    def questions(self, qset: QuestionSet) -> list[dict]:
        """The set's questions as written in its structure file (valid ids only)."""
        data = load_yaml(self.read(qset.structure_file))
        raw = data.get(qset.list_key) if isinstance(data, dict) else None
        return [q for q in raw or [] if isinstance(q, dict) and is_id(q.get("id"))]

    def question(self, qset: QuestionSet, question_id: str) -> dict | None:
        return next((q for q in self.questions(qset) if q["id"] == question_id), None)

    def find_question(self, question_id: str) -> tuple[QuestionSet, dict] | None:
        for qset in self.question_sets():
            found = self.question(qset, question_id)
            if found is not None:
                return qset, found
        return None

    # -- units

    @property
    def units(self) -> dict[str, Unit]:
        if self._units is None:
            self._units = {u.key: u for u in self._collect()}
            self._fill_texts()
        return self._units

    def _collect(self) -> list[Unit]:
        found = [
            Unit(f"course:{k}", None, "course", k, layout.course_text("{lang}"), (k,))
            for k in ("title", "tagline", "description")
        ]
        for m in self.modules:
            found += [
                Unit(
                    f"module:{m.id}:{k}",
                    m.id,
                    f"module:{m.id}",
                    k,
                    layout.module_text("{lang}", m.id),
                    (k,),
                )
                for k in ("title", "summary")
            ]
            for lesson in m.lessons:
                page = f"lesson:{m.id}/{lesson}"
                file = layout.lesson("{lang}", m.id, lesson)
                found.append(Unit(f"{page}:title", m.id, page, "title", file, ("front", "title")))
                found.append(Unit(f"{page}:body", m.id, page, "body", file, ("body",)))
        for qset in self.question_sets():
            scenarios: list[tuple[str, str | None]] = []
            for q in self.questions(qset):
                module_id = qset.id if qset.id != FINAL_EXAM else q.get("module")
                module_id = module_id if is_id(module_id) else None
                page = f"question:{q['id']}"
                base = ("questions", q["id"])
                for kind in ("prompt", "explanation", "legal_basis"):
                    found.append(
                        Unit(f"{page}:{kind}", module_id, page, kind, qset.text_file, (*base, kind))
                    )
                if q.get("type") != "true_false":
                    for option in q.get("options") or []:
                        if is_id(option):
                            found.append(
                                Unit(
                                    f"{page}:option:{option}",
                                    module_id,
                                    page,
                                    "option",
                                    qset.text_file,
                                    (*base, "options", option),
                                )
                            )
                scenario = q.get("scenario")
                if is_id(scenario) and scenario not in [s for s, _m in scenarios]:
                    scenarios.append((scenario, module_id))
            for scenario, module_id in scenarios:
                found.append(
                    Unit(
                        f"scenario:{qset.id}:{scenario}",
                        module_id,
                        f"scenario:{qset.id}:{scenario}",
                        "scenario",
                        qset.text_file,
                        ("scenarios", scenario),
                    )
                )
        if any(self.read(layout.pocket(lang)) is not None for lang in LANGUAGES):
            found.append(
                Unit(
                    "pocket:title",
                    None,
                    "pocket",
                    "title",
                    layout.pocket("{lang}"),
                    ("front", "title"),
                )
            )
            found.append(
                Unit("pocket:body", None, "pocket", "body", layout.pocket("{lang}"), ("body",))
            )
        terms = load_yaml(self.read(layout.GLOSSARY))
        for term in (terms.get("terms") if isinstance(terms, dict) else None) or []:
            if is_id(term):
                for kind in ("term", "definition"):
                    found.append(
                        Unit(
                            f"glossary:{term}:{kind}",
                            None,
                            "glossary",
                            kind,
                            layout.glossary_text("{lang}"),
                            ("terms", term, kind),
                        )
                    )
        return found

    def _fill_texts(self) -> None:
        parsed: dict[str, Any] = {}
        for unit in self._units.values():
            for lang in LANGUAGES:
                relative = unit.file_for(lang)
                if relative not in parsed:
                    text = self.read(relative)
                    parsed[relative] = (
                        LessonFile.parse(text) if relative.endswith(".md") else load_yaml(text)
                    )
                unit.text[lang] = normalize(_get(parsed[relative], unit.path))

    def texts_of_page(self, page: str) -> list[Unit]:
        return [u for u in self.units.values() if u.page == page]


def _get(data: Any, path: tuple[str, ...]) -> str | None:
    if isinstance(data, LessonFile):
        if data.body == "" and not data.front:
            return None
        return data.body if path == ("body",) else _as_text(data.front.get(path[1]))
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return _as_text(data)


def _as_text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    return str(value) if isinstance(value, str | int | float) else None


# ---------------------------------------------------------------- edits → new file texts


def apply_texts(
    draft: Draft,
    changes: dict[tuple[str, str], str | None],
    files: dict[str, str] | None = None,
    units: dict[str, Unit] | None = None,
) -> dict[str, str]:
    """New texts of the files that `changes` ({(unit key, lang): text or None}) touch.

    `files` holds texts already changed in this save (a question's structure and texts
    change together); they are edited further instead of read again.
    """
    result: dict[str, str] = dict(files or {})
    by_file: dict[str, list[tuple[Unit, str | None]]] = {}
    for (key, lang), text in changes.items():
        unit = (units or draft.units)[key]
        value = None if text is None else normalize(text)
        by_file.setdefault(unit.file_for(lang), []).append((unit, value))
    for relative, edits in by_file.items():
        old = result.get(relative, draft.read(relative))
        if relative.endswith(".md"):
            lesson = LessonFile.parse(old)
            for unit, text in edits:
                if unit.path == ("body",):
                    lesson.body = text or ""
                else:
                    lesson.front[unit.path[1]] = text or ""
            result[relative] = lesson.render()
            continue
        data = load_yaml(old)
        data = data if isinstance(data, dict) else {}
        for unit, text in edits:
            _put(data, unit.path, text)
        result[relative] = dump_yaml(data, leading_comments(old or ""))
    return result


def _put(data: dict, path: tuple[str, ...], value: str | None) -> None:
    """Set a nested value; None removes it (an option or question that was deleted)."""
    for key in path[:-1]:
        if not isinstance(data.get(key), dict):
            if value is None:
                return
            data[key] = {}
        data = data[key]
    if value is None:
        data.pop(path[-1], None)
    else:
        data[path[-1]] = value


def set_lesson_meta(text: str | None, lesson_id: str, minutes: int, as_of: date) -> str:
    lesson = LessonFile.parse(text)
    lesson.front = {
        "id": lesson_id,
        "title": lesson.front.get("title", ""),
        **{k: v for k, v in lesson.front.items() if k not in ("id", "title")},
        "minutes": minutes,
        "status_as_of": as_of,
    }
    return lesson.render()
