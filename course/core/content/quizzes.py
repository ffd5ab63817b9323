"""Reading quizzes and the final exam: language-neutral structure and keys, checked
against the texts of each language."""

from __future__ import annotations

from pathlib import Path

from course.core.content import layout
from course.core.content.model import (
    DEFAULT_EXAM_MINUTES,
    DEFAULT_PASS_MARK,
    DEFAULT_QUIZ_MINUTES,
    LANGUAGES,
    QUESTION_TYPES,
    TRUE_FALSE_OPTIONS,
    TRUE_FALSE_TEXT,
    FinalExam,
    Localized,
    Option,
    Question,
    Quiz,
)
from course.core.content.reading import Reader
from course.core.content.yamllines import LineMap, LineSeq, empty_map


class QuizReader(Reader):
    # -- quizzes

    def quiz(self, module_id: str, path: Path) -> Quiz | None:
        data = self.mapping(self.read_yaml(path), path, 1, "quiz")
        if data is None:
            return None
        quiz_id = self.an_id(data.get("id"), path, data.line_of("id"), "quiz id")
        pass_mark = self.integer(data, "pass_mark", path, 1, 100, DEFAULT_PASS_MARK)
        minutes = self.integer(data, "time_limit_minutes", path, 1, 600, DEFAULT_QUIZ_MINUTES)
        texts = {lang: self.root / layout.quiz_text(lang, module_id) for lang in LANGUAGES}
        questions = self.questions(data, "questions", path, texts, module_id)
        active = tuple(q for q in questions if not q.retired)
        if questions and not active:
            self.problem(path, data.line_of("questions"), "every question is retired")
        if quiz_id is None:
            return None
        retired = tuple(q for q in questions if q.retired)
        return Quiz(quiz_id, module_id, pass_mark, active, minutes, retired)

    def final_exam(self, module_ids: set[str]) -> FinalExam | None:
        path = self.root / layout.quiz_structure(layout.FINAL_EXAM)
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
        texts = {lang: self.root / layout.final_exam_text(lang) for lang in LANGUAGES}
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
        data: LineMap,
        key: str,
        path: Path,
        text_paths: dict[str, Path],
        module_id: str | None,
        module_ids: set[str] | None = None,
    ) -> list[Question]:
        raw = data.get(key)
        if not isinstance(raw, LineSeq) or not raw:
            self.problem(path, data.line_of(key), f"'{key}' must be a non-empty list")
            return []
        texts: dict[str, LineMap] = {}
        for lang, text_path in text_paths.items():
            loaded = self.mapping(self.read_yaml(text_path), text_path, 1, "question texts")
            if loaded is None:
                continue
            for section in ("questions", "scenarios"):
                if section in loaded and not isinstance(loaded[section], LineMap):
                    self.problem(text_path, loaded.line_of(section), f"'{section}' must be a map")
                    loaded[section] = empty_map()
            texts[lang] = loaded
        questions: list[Question] = []
        for item, line in zip(raw, raw.lines, strict=True):
            if not isinstance(item, LineMap):
                self.problem(path, line, "a question must be a mapping")
                continue
            question = self.question(item, path, texts, text_paths, module_id, module_ids)
            if question is not None:
                questions.append(question)
        used = {q.id for q in questions}
        used_scenarios = {q.scenario_id for q in questions if q.scenario_id}
        for lang, loaded in texts.items():
            for section, known in (("questions", used), ("scenarios", used_scenarios)):
                extra = loaded.get(section) or empty_map()
                for unknown in sorted(set(extra) - known, key=str):  # keys may be numbers
                    self.problem(
                        text_paths[lang],
                        extra.line_of(unknown),
                        f"unknown {section[:-1]} '{unknown}'",
                    )
        return questions

    def question(
        self,
        item: LineMap,
        path: Path,
        texts: dict[str, LineMap],
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
            if not isinstance(raw_options, LineSeq) or len(raw_options) < 2:
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
            qtexts = texts[lang].get("questions") or empty_map()
            entry = qtexts.get(qid)
            if not isinstance(entry, LineMap):
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
                if not isinstance(given, LineMap):
                    self.problem(tpath, entry.line_of("options"), f"'{qid}': options missing")
                    continue
                for o in option_ids:
                    option_text[o][lang] = self.text(given, o, tpath) if o in given else ""
                    if o not in given:
                        self.problem(tpath, given.line, f"'{qid}': option '{o}' has no text")
                for extra in sorted(set(given) - set(option_ids), key=str):
                    self.problem(tpath, given.line_of(extra), f"'{qid}': unknown option '{extra}'")
            if scenario_id:
                scenarios = texts[lang].get("scenarios") or empty_map()
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
