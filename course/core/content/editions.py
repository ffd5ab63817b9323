"""Published editions: frozen copies of the course that learners see.

`content/` is the trainers' working copy, the draft. Publishing copies it to
`<instance>/editions/<N>/` with an `edition.json` record (who published, when, the
legal-review note) and never changes that copy again, so:

- learners always see the newest published edition, never a draft;
- a quiz attempt is finished and graded on the edition it started on;
- a certificate names an edition whose text can still be read.

Before anything is published through the editor, the course is served straight from
`content/` (a deployment that ships content through git works as it always did); the
first draft save first freezes that state as its edition. A content folder whose
`edition` is higher than every frozen one is served as published (a deliberate release
through git), until a draft save freezes it too.

No Flask import here; the app keeps one `Editions` in `app.extensions`, and every worker
process notices a new edition by the editions folder's modification time.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import shutil
import threading
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

from course.core.content import ContentError, Course, Problem, check_content, load_course
from course.core.files import atomic_write, fsync_tree, is_hidden

RECORD = "edition.json"
_EDITION_LINE = re.compile(r"^edition:.*$", re.MULTILINE)
_PUBLISHED_LINE = re.compile(r"^published:.*$", re.MULTILINE)


@dataclass(frozen=True)
class EditionRecord:
    number: int
    published_on: date
    published_at: str | None = None  # ISO time in UTC
    published_by: str | None = None  # the publisher's name, as it was then
    published_by_id: int | None = None
    law_in_force_on: date | None = None
    review_note: str = ""
    supersedes_earlier: bool = False  # earlier certificates: "refresher recommended"
    changed_modules: tuple[str, ...] = field(default=())
    frozen_from_files: bool = False  # frozen from content/ as found, not published here

    def to_json(self) -> str:
        data = asdict(self)
        data["published_on"] = self.published_on.isoformat()
        data["law_in_force_on"] = self.law_in_force_on.isoformat() if self.law_in_force_on else None
        data["changed_modules"] = list(self.changed_modules)
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> EditionRecord:
        data = json.loads(text)
        data["published_on"] = date.fromisoformat(data["published_on"])
        if data.get("law_in_force_on"):
            data["law_in_force_on"] = date.fromisoformat(data["law_in_force_on"])
        data["changed_modules"] = tuple(data.get("changed_modules") or ())
        return cls(**data)


class PublishRefused(Exception):
    """The draft cannot be published; `problems` says why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class EditionExists(Exception):
    """Someone else published this edition number a moment ago."""


def _copy_ignore(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if n.startswith(".")]


def module_files(root: Path, module_id: str) -> dict[str, bytes]:
    """Every file that makes up one module in `root`, by relative path."""
    found: dict[str, bytes] = {}
    for relative in (f"quizzes/{module_id}.yaml", "kk", "ru"):
        base = root / relative
        if relative in ("kk", "ru"):
            base = base / module_id
        if base.is_file():
            found[relative] = base.read_bytes()
        elif base.is_dir():
            for file in sorted(base.iterdir()):
                if file.is_file() and not is_hidden(file):
                    found[f"{relative}/{module_id}/{file.name}"] = file.read_bytes()
    return found


class Editions:
    """The published editions of one content folder, loaded on demand and kept."""

    def __init__(self, content_dir: Path, editions_dir: Path):
        self.content_dir = Path(content_dir)
        self.folder = Path(editions_dir)
        self._lock = threading.RLock()
        self._courses: dict[int, Course] = {}
        self._stamp: int | None = -1
        self._numbers: list[int] = []
        self._files_course: Course | None = None
        try:
            self._files_course = load_course(self.content_dir)
        except ContentError:
            # An unfinished draft is fine once something has been published.
            if not self.numbers():
                raise
        self.current()  # a broken frozen edition stops the app here, not on a request

    # -- reading

    def _scan(self) -> None:
        try:
            stamp = self.folder.stat().st_mtime_ns
        except FileNotFoundError:
            stamp = None
        if stamp == self._stamp:
            return
        with self._lock:
            numbers = []
            if stamp is not None:
                numbers = sorted(
                    int(p.name) for p in self.folder.iterdir() if p.is_dir() and p.name.isdigit()
                )
            self._numbers, self._stamp = numbers, stamp

    def numbers(self) -> list[int]:
        """Frozen edition numbers, oldest first."""
        self._scan()
        return list(self._numbers)

    def _served_from_files(self) -> bool:
        files = self._files_course
        numbers = self.numbers()
        return files is not None and (not numbers or files.edition > numbers[-1])

    def current(self) -> Course:
        """The edition learners see now."""
        if self._served_from_files():
            return self._files_course  # type: ignore[return-value]
        return self._load(self.numbers()[-1])

    def get(self, number: int) -> Course | None:
        """A published edition by number (for attempts started on it), or None."""
        if number in self.numbers():
            return self._load(number)
        files = self._files_course
        if files is not None and files.edition == number and self._served_from_files():
            return files
        return None

    def _load(self, number: int) -> Course:
        with self._lock:
            if number not in self._courses:
                self._courses[number] = load_course(self.folder / str(number))
            return self._courses[number]

    def records(self) -> list[EditionRecord]:
        """Every published edition, newest first."""
        found = []
        for number in reversed(self.numbers()):
            path = self.folder / str(number) / RECORD
            if path.is_file():
                found.append(EditionRecord.from_json(path.read_text(encoding="utf-8")))
        if self._served_from_files():
            files = self._files_course
            found.insert(0, EditionRecord(files.edition, files.published, frozen_from_files=True))
        return found

    def superseding_edition(self) -> int | None:
        """The newest edition that marked earlier certificates as superseded."""
        return max((r.number for r in self.records() if r.supersedes_earlier), default=None)

    # -- writing

    def freeze_served_files(self) -> None:
        """Before the first draft save: keep what learners see, so the draft stays private."""
        with self._lock:
            if not self._served_from_files():
                return
            files = self._files_course
            record = EditionRecord(files.edition, files.published, frozen_from_files=True)
            with contextlib.suppress(EditionExists):
                self._freeze(record, self.content_dir)

    def publish(self, record: EditionRecord) -> Course:
        """Freeze the draft as edition `record.number`; refuse it if the checks fail."""
        with self._lock:
            problems = check_content(self.content_dir)
            if problems:
                raise PublishRefused(problems)
            # What learners saw until now stays readable for attempts started on it.
            self.freeze_served_files()
            self._freeze(record, self.content_dir, rewrite_structure=True)
            # The working copy says which edition it became, for a reader of the files.
            structure = self.content_dir / "course.yaml"
            atomic_write(structure, self._stamp_structure(structure.read_text("utf-8"), record))
            return self._load(record.number)

    def next_number(self) -> int:
        return self.current().edition + 1

    @staticmethod
    def _stamp_structure(text: str, record: EditionRecord) -> str:
        text = _EDITION_LINE.sub(f"edition: {record.number}", text, count=1)
        return _PUBLISHED_LINE.sub(f"published: {record.published_on.isoformat()}", text, count=1)

    def _freeze(self, record: EditionRecord, source: Path, rewrite_structure=False) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        final = self.folder / str(record.number)
        if final.exists():
            raise EditionExists(record.number)
        temp = self.folder / f".new-{record.number}-{secrets.token_hex(4)}"
        try:
            shutil.copytree(source, temp, ignore=_copy_ignore)
            if rewrite_structure:
                structure = temp / "course.yaml"
                structure.write_text(
                    self._stamp_structure(structure.read_text("utf-8"), record), "utf-8"
                )
            (temp / RECORD).write_text(record.to_json(), encoding="utf-8")
            load_course(temp)  # what learners are about to see must load
            fsync_tree(temp)
            try:
                temp.rename(final)  # atomic; fails if another publisher won the race
            except OSError as e:
                raise EditionExists(record.number) from e
        finally:
            if temp.exists():
                shutil.rmtree(temp, ignore_errors=True)
        self._stamp = -1  # rescan now, not on the next tick of the clock


def today_in(tz: str) -> date:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(tz)).date()
