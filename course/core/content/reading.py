"""Reading the content's files: text, YAML with lines, typed values, ids, problems."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from course.core.content import markdown
from course.core.content.model import ID_PATTERN
from course.core.content.problems import Problem
from course.core.content.yamllines import DuplicateKey, LineLoader, LineMap, LineSeq


class Reader:
    """Reads one content folder's files, collecting every problem instead of stopping at the
    first; the typed getters report a problem and return a harmless default."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self.seen_question_ids: dict[str, str] = {}
        self.lesson_keys: set[tuple[str, str]] = set()
        # (module, lesson, lang) -> (file, number of lines before the body)
        self.lesson_sources: dict[tuple[str, str, str], tuple[Path, int]] = {}
        self.rendered_refs: dict[tuple[str, str, str], list[markdown.Reference]] = {}
        self.glossary_ids: set[str] = set()
        self.course_texts: dict[str, LineMap] = {}  # each language's course.yaml

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
            data = yaml.load(text, Loader=LineLoader)  # noqa: S506 - a SafeLoader subclass
        except DuplicateKey as e:
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
        if line_offset and isinstance(data, LineMap):
            data.line += line_offset
            data.lines = {k: v + line_offset for k, v in data.lines.items()}
        return data

    def mapping(self, data: Any, path: Path, line: int, what: str) -> LineMap | None:
        if isinstance(data, LineMap):
            return data
        if data is None:  # read_yaml has said why
            return None
        self.problem(path, line, f"{what} must be a mapping")
        return None

    def text(self, data: LineMap, key: str, path: Path, *, multiline: bool = False) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.problem(path, data.line_of(key), f"'{key}' is missing or empty")
            return ""
        value = value.strip()
        if not multiline and "\n" in value:
            self.problem(path, data.line_of(key), f"'{key}' must be a single line")
        return value

    def integer(
        self, data: LineMap, key: str, path: Path, low: int, high: int, default=None
    ) -> int:
        value = data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.problem(path, data.line_of(key), f"'{key}' must be a whole number {low}–{high}")
            return default if default is not None else low
        return value

    def a_date(self, data: LineMap, key: str, path: Path) -> date:
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

    def unique_ids(self, items: LineSeq, key: str | None, path: Path, what: str) -> list[str]:
        """Valid ids from a YAML list (of ids, or of mappings with `key`), duplicates reported."""
        ids: list[str] = []
        for item, line in zip(items, items.lines, strict=True):
            raw = item.get(key) if key and isinstance(item, LineMap) else item
            found = self.an_id(raw, path, line, what)
            if found is None:
                continue
            if found in ids:
                self.problem(path, line, f"duplicate {what} '{found}'")
                continue
            ids.append(found)
        return ids
