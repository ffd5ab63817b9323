"""Loading a content folder into a Course: the structure, the texts of each language,
lessons and their links, the glossary and the pocket reference. Quizzes: quizzes.py."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

from course.core.content import layout, markdown
from course.core.content.model import (
    LANGUAGES,
    Course,
    GlossaryTerm,
    LegalChange,
    Lesson,
    Localized,
    Module,
    Pocket,
)
from course.core.content.problems import ContentError, Problem
from course.core.content.quizzes import QuizReader
from course.core.content.yamllines import LineMap, LineSeq
from course.core.files import is_hidden


class Loader(QuizReader):
    """Reads one content folder into a Course, with every problem on the way."""

    # -- the whole course

    def load(self) -> Course | None:
        if not self.root.is_dir():
            self.problem(self.root, 0, "content folder not found")
            return None
        structure_path = self.root / layout.STRUCTURE
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
        if not isinstance(raw_modules, LineSeq) or not raw_modules:
            self.problem(structure_path, structure.line_of("modules"), "'modules' must be a list")
            raw_modules = LineSeq()
            raw_modules.lines = []  # an empty list with no lines, so the loop below is a no-op
        module_ids = self.unique_ids(raw_modules, "id", structure_path, "module id")
        for raw, line in zip(raw_modules, raw_modules.lines, strict=True):
            if not isinstance(raw, LineMap) or raw.get("id") not in module_ids:
                if not isinstance(raw, LineMap):
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
        legal_changes = self.legal_changes(structure, structure_path)
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
            legal_changes=legal_changes,
            _lesson_order=lesson_order,
        )

    def legal_changes(self, structure: LineMap, path: Path) -> tuple[LegalChange, ...]:
        """`legal_changes` in course.yaml: dated ids, oldest first; each language's
        course.yaml says in its words what changed (`legal_changes: {id: text}`)."""
        raw = structure.get("legal_changes")
        if raw is None:
            return ()
        if not isinstance(raw, LineSeq):
            self.problem(path, structure.line_of("legal_changes"), "'legal_changes' must be a list")
            return ()
        dated: list[tuple[str, date]] = []
        for change_id in self.unique_ids(raw, "id", path, "legal change id"):
            item = next(x for x in raw if isinstance(x, LineMap) and x.get("id") == change_id)
            dated.append((change_id, self.a_date(item, "date", path)))
        if [d for _, d in dated] != sorted(d for _, d in dated):
            self.problem(
                path, structure.line_of("legal_changes"), "list legal changes oldest first"
            )
        texts: dict[str, dict[str, str]] = {}
        for lang in LANGUAGES:
            tpath = self.root / layout.course_text(lang)
            data = self.course_texts.get(lang)
            if data is None:
                continue  # course_text has said why
            given = data.get("legal_changes")
            if not isinstance(given, LineMap):
                self.problem(tpath, data.line, "'legal_changes' must give each change's text by id")
                continue
            texts[lang] = {
                change_id: self.text(given, change_id, tpath, multiline=True)
                for change_id, _ in dated
            }
            for extra in sorted(set(given) - {c for c, _ in dated}, key=str):
                self.problem(tpath, given.line_of(extra), f"unknown legal change '{extra}'")
        if len(texts) != len(LANGUAGES):
            return ()
        return tuple(
            LegalChange(change_id, day, {lang: texts[lang][change_id] for lang in LANGUAGES})
            for change_id, day in dated
        )

    def glossary(self) -> tuple[GlossaryTerm, ...]:
        """content/glossary.yaml lists term ids in order; each language file gives the text."""
        path = self.root / layout.GLOSSARY
        if not path.exists():
            return ()
        data = self.mapping(self.read_yaml(path), path, 1, "glossary.yaml")
        raw = data.get("terms") if data is not None else None
        if not isinstance(raw, LineSeq) or not raw:
            if data is not None:
                self.problem(path, data.line_of("terms"), "'terms' must list term ids")
            return ()
        ids = self.unique_ids(raw, None, path, "term id")
        self.glossary_ids = set(ids)
        texts: dict[str, dict[str, tuple[str, str]]] = {}
        for lang in LANGUAGES:
            tpath = self.root / layout.glossary_text(lang)
            loaded = self.mapping(self.read_yaml(tpath), tpath, 1, "glossary")
            given = loaded.get("terms") if loaded is not None else None
            if not isinstance(given, LineMap):
                if loaded is not None:
                    self.problem(tpath, loaded.line_of("terms"), "'terms' must be a mapping")
                continue
            texts[lang] = {}
            for term_id in ids:
                entry = given.get(term_id)
                if not isinstance(entry, LineMap):
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
        paths = {lang: self.root / layout.pocket(lang) for lang in LANGUAGES}
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
            match = layout.FRONT_MATTER.match(text)
            data = self.read_yaml(paths[lang], match.group(1), 1) if match else None
            if not isinstance(data, LineMap):
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
        path = self.root / layout.course_text(lang)
        data = self.mapping(self.read_yaml(path), path, 1, "course.yaml")
        if data is None:
            return "", "", ""
        self.course_texts[lang] = data
        return (
            self.text(data, "title", path),
            self.text(data, "tagline", path),
            self.text(data, "description", path, multiline=True),
        )

    # -- modules and lessons

    def module(self, raw: LineMap, structure_path: Path) -> Module:
        module_id = raw["id"]
        status_as_of = self.a_date(raw, "status_as_of", structure_path)
        reviewed = self.a_date(raw, "reviewed", structure_path) if "reviewed" in raw else None
        titles: Localized = {}
        summaries: Localized = {}
        for lang in LANGUAGES:
            path = self.root / layout.module_text(lang, module_id)
            data = self.mapping(self.read_yaml(path), path, 1, "module.yaml")
            if data is not None:
                titles[lang] = self.text(data, "title", path)
                summaries[lang] = self.text(data, "summary", path, multiline=True)
        raw_lessons = raw.get("lessons")
        lessons: list[Lesson] = []
        if not isinstance(raw_lessons, LineSeq) or not raw_lessons:
            self.problem(structure_path, raw.line_of("lessons"), "'lessons' must be a list")
        else:
            for lesson_id in self.unique_ids(raw_lessons, None, structure_path, "lesson id"):
                # Links are checked against the structure: a lesson missing in one
                # language is one problem, not one more for every link to it.
                self.lesson_keys.add((module_id, lesson_id))
                lesson = self.lesson(module_id, lesson_id)
                if lesson is not None:
                    lessons.append(lesson)
        quiz_path = self.root / layout.quiz_structure(module_id)
        quiz = self.quiz(module_id, quiz_path) if quiz_path.exists() else None
        return Module(module_id, status_as_of, titles, summaries, tuple(lessons), quiz, reviewed)

    def lesson(self, module_id: str, lesson_id: str) -> Lesson | None:
        meta: dict[str, LineMap] = {}
        bodies: Localized = {}
        for lang in LANGUAGES:
            path = self.root / layout.lesson(lang, module_id, lesson_id)
            if not path.is_file():
                self.problem(path, 0, f"lesson '{lesson_id}' is missing in '{lang}'")
                continue
            text = self.read_text(path)
            if text is None:
                continue
            match = layout.FRONT_MATTER.match(text)
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
        paths = {lang: self.root / layout.lesson(lang, module_id, lesson_id) for lang in LANGUAGES}
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
                if is_hidden(entry):  # a temporary file of an interrupted save
                    continue
                if entry.name in ("course.yaml", "final-exam.yaml", "glossary.yaml", "pocket.md"):
                    continue
                if not entry.is_dir() or entry.name not in modules:
                    self.problem(entry, 0, "not listed in course.yaml")
                    continue
                known = {f"{lid}.md" for mid, lid in self.lesson_keys if mid == entry.name}
                known |= {"module.yaml", "quiz.yaml"}
                for file in sorted(entry.iterdir()):
                    if is_hidden(file):
                        continue
                    if file.name not in known and file.suffix == ".md":
                        self.problem(file, 0, "lesson not listed in course.yaml")
                    elif file.name not in known:
                        self.problem(file, 0, "unexpected file")


def check_content(root: Path) -> list[Problem]:
    """Every problem in the content folder; an empty list means it is valid."""
    loader = Loader(Path(root))
    loader.load()
    return sorted(set(loader.problems))


def load_course(root: Path) -> Course:
    """The course in `root`, or ContentError naming each problem with file and line."""
    loader = Loader(Path(root))
    course = loader.load()
    if course is None:
        raise ContentError(loader.problems or [Problem(str(root), 0, "content is invalid")])
    return course
