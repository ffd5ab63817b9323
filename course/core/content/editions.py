"""Published editions: frozen copies of the course that learners see.

`content/` is the trainers' working copy, the draft (files on the one editing server).
Publishing freezes it as edition N: the record (who published, when, the legal-review
note) and an archive of its files (archive.py) go into the database as one row, which is
never changed again, so:

- learners always see the newest published edition, never a draft;
- a quiz attempt is finished and graded on the edition it started on;
- a certificate names an edition whose text can still be read;
- every app server serves the same editions: the database is the source of truth.

Each worker keeps what it has loaded in memory. It notices a new edition with one small
query (`count`, `max(number)`) at most once per `check_every` seconds (one second), not
per request, and materialises an edition it has not seen into a cache folder,
`<instance>/edition-cache/<N>-<digest>/`, from which the loader reads it. That folder is
only a cache: named by the archive's SHA-256, so never stale, and rebuilt from the
database when missing.

Before anything is published through the editor, the course is served straight from
`content/` (a deployment that ships content through git works as it always did); the
first draft save first freezes that state as its edition. A content folder whose
`edition` is higher than every frozen one is served as published (a deliberate release
through git), until a draft save freezes it too.

Freezing and publishing are their own transaction: the store commits the row (and
whatever the caller's transaction holds) before they return, as renaming a folder did.
No Flask import here; the app keeps one `Editions` in `app.extensions` with a store
bound to its database (store.py).
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from course.core.content import ContentError, Course, check_content, load_course
from course.core.content.archive import digest, pack, unpack
from course.core.content.records import (
    EditionDamaged,
    EditionExists,
    EditionRecord,
    EditionStore,
    PublishRefused,
    StoredEdition,
    StoreUnavailable,
)
from course.core.files import atomic_write, is_hidden

RECORD = "edition.json"  # the record in a folder of the editions of old (imported once)
IMPORTED = "IMPORTED.txt"  # left in that folder once its editions are in the database
_EDITION_LINE = re.compile(r"^edition:.*$", re.MULTILINE)
_PUBLISHED_LINE = re.compile(r"^published:.*$", re.MULTILINE)
log = logging.getLogger(__name__)


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


def _copy_ignore(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if n.startswith(".")]


@dataclass(frozen=True)
class _Known:
    """What this worker knows the store holds, replaced whole (readers never lock)."""

    stamp: object | None
    editions: dict[int, StoredEdition]
    newest_first: tuple[EditionRecord, ...]
    superseding: int | None

    @classmethod
    def of(cls, stamp: object | None, stored: list[StoredEdition]) -> _Known:
        editions = {s.record.number: s for s in stored}
        newest = tuple(editions[n].record for n in sorted(editions, reverse=True))
        superseding = max((r.number for r in newest if r.supersedes_earlier), default=None)
        return cls(stamp, editions, newest, superseding)


class Editions:
    """The published editions of one course, as one worker serves them."""

    def __init__(
        self,
        content_dir: Path,
        cache_dir: Path,
        store: EditionStore,
        *,
        check_every: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.content_dir = Path(content_dir)
        self.cache = Path(cache_dir)
        self.store = store
        self.check_every = check_every
        self.clock = clock
        self._lock = threading.RLock()  # changes of what is known, publishing
        self._loading = threading.Lock()  # materialising and loading an edition
        self._known = _Known.of(None, [])
        self._generation = 0  # bumped by every change of what is known
        self._checked_at: float | None = None
        # Loaded editions by number and archive digest (a restored database may hold
        # another edition under a number seen before).
        self._courses: dict[tuple[int, str], Course] = {}
        self._files_course: Course | None = None

    def open(self) -> None:
        """Load the course in the files and the edition learners see (in an app
        context): invalid content or a broken edition stops the app here, not on a
        request."""
        self._sweep_cache()
        try:
            self._files_course = load_course(self.content_dir)
        except ContentError:
            # An unfinished draft is fine once something has been published.
            if not self.numbers():
                raise
        self.current()

    # -- knowing what the store holds

    def refresh(self, force: bool = False) -> None:
        """Read the store's stamp if `check_every` has passed (or now, if forced), and
        its records if the stamp changed. Readers go on with what was known meanwhile."""
        now = self.clock()
        with self._lock:
            due = (
                force
                or self._checked_at is None
                or now - self._checked_at >= self.check_every
                or now < self._checked_at  # a clock set back
            )
            if not due:
                return
            self._checked_at = now  # this thread checks; the others need not wait
            generation = self._generation
        try:
            stamp = self.store.stamp()
            if stamp == self._known.stamp and stamp is not None:
                return
            stored = self.store.records() if stamp is not None else []
        except StoreUnavailable:
            if force:
                raise
            return  # e.g. no app context: what is known stands
        except Exception:
            if force:
                raise
            # The database did not answer: serve what was known, try again next time.
            log.warning("could not check for new editions", exc_info=True)
            return
        with self._lock:
            if self._generation == generation:  # nothing newer was learnt meanwhile
                self._install(_Known.of(stamp, stored))

    def _install(self, known: _Known) -> None:
        self._known = known
        self._generation += 1

    def numbers(self) -> list[int]:
        """Frozen edition numbers, oldest first."""
        self.refresh()
        return sorted(self._known.editions)

    def _served_from_files(self, known: _Known | None = None) -> bool:
        files = self._files_course
        numbers = (known or self._known).editions
        return files is not None and (not numbers or files.edition > max(numbers))

    def current(self) -> Course:
        """The edition learners see now."""
        self.refresh()
        known = self._known
        if self._served_from_files(known):
            return self._files_course  # type: ignore[return-value]
        return self._load(known.editions[max(known.editions)])

    def get(self, number: int) -> Course | None:
        """A published edition by number (for attempts started on it), or None."""
        self.refresh()
        known = self._known
        files = self._files_course
        if files is not None and files.edition == number and self._served_from_files(known):
            return files
        if number not in known.editions and number > max(known.editions, default=0):
            # Published on another server within the last second: look now.
            self.refresh(force=True)
            known = self._known
        stored = known.editions.get(number)
        return self._load(stored) if stored is not None else None

    def records(self) -> list[EditionRecord]:
        """Every published edition, newest first (from memory)."""
        self.refresh()
        known = self._known
        found = list(known.newest_first)
        if self._served_from_files(known):
            files = self._files_course
            found.insert(0, EditionRecord(files.edition, files.published, frozen_from_files=True))
        return found

    def superseding_edition(self) -> int | None:
        """The newest edition that marked earlier certificates as superseded."""
        self.refresh()
        return self._known.superseding

    def next_number(self) -> int:
        self.refresh(force=True)  # publishing is rare: ask the store, not the memory
        return self.current().edition + 1

    # -- loading an edition's files

    def _folder(self, stored: StoredEdition) -> Path:
        return self.cache / f"{stored.record.number}-{stored.sha256[:16]}"

    def _load(self, stored: StoredEdition) -> Course:
        key = (stored.record.number, stored.sha256)
        course = self._courses.get(key)
        if course is not None:
            return course
        with self._loading:
            if key not in self._courses:
                folder = self._folder(stored)
                if not folder.is_dir():
                    data = self.store.archive(stored.record.number)
                    self._materialise(stored, data, folder)
                self._courses[key] = load_course(folder)
            return self._courses[key]

    def _materialise(self, stored: StoredEdition, data: bytes, folder: Path) -> None:
        if digest(data) != stored.sha256:
            raise EditionDamaged(f"edition {stored.record.number}: archive digest differs")
        self.cache.mkdir(parents=True, exist_ok=True)
        temp = self.cache / f".new-{stored.record.number}-{secrets.token_hex(4)}"
        try:
            unpack(data, temp)
            with contextlib.suppress(OSError):  # another worker made it a moment ago
                temp.rename(folder)
        finally:
            if temp.exists():
                shutil.rmtree(temp, ignore_errors=True)

    def _sweep_cache(self) -> None:
        """Leftovers of extractions a killed process did not finish (an hour old)."""
        if not self.cache.is_dir():
            return
        for path in self.cache.glob(".new-*"):
            with contextlib.suppress(OSError):
                if time.time() - path.stat().st_mtime > 3600:
                    shutil.rmtree(path, ignore_errors=True)

    # -- writing

    def freeze_served_files(self) -> None:
        """Before the first draft save: keep what learners see, so the draft stays private."""
        with self._lock:
            self.refresh(force=True)
            if not self._served_from_files():
                return
            files = self._files_course
            record = EditionRecord(files.edition, files.published, frozen_from_files=True)
            with contextlib.suppress(EditionExists):  # another server froze it first
                self._freeze(record, self.content_dir)

    def publish(self, record: EditionRecord) -> Course:
        """Freeze the draft as edition `record.number`; refuse it if the checks fail."""
        with self._lock:
            problems = check_content(self.content_dir)
            if problems:
                raise PublishRefused(problems)
            # What learners saw until now stays readable for attempts started on it.
            self.freeze_served_files()
            course = self._freeze(record, self.content_dir, rewrite_structure=True)
            # The working copy says which edition it became, for a reader of the files.
            structure = self.content_dir / "course.yaml"
            atomic_write(structure, self._stamp_structure(structure.read_text("utf-8"), record))
            return course

    @staticmethod
    def _stamp_structure(text: str, record: EditionRecord) -> str:
        text = _EDITION_LINE.sub(f"edition: {record.number}", text, count=1)
        return _PUBLISHED_LINE.sub(f"published: {record.published_on.isoformat()}", text, count=1)

    def _freeze(self, record: EditionRecord, source: Path, rewrite_structure=False) -> Course:
        """Store `source` as edition `record.number`: all of it, or nothing."""
        self.cache.mkdir(parents=True, exist_ok=True)
        temp = self.cache / f".new-{record.number}-{secrets.token_hex(4)}"
        try:
            shutil.copytree(source, temp, ignore=_copy_ignore)
            if rewrite_structure:
                structure = temp / "course.yaml"
                structure.write_text(
                    self._stamp_structure(structure.read_text("utf-8"), record), "utf-8"
                )
            with contextlib.suppress(OSError):
                (temp / RECORD).unlink()  # a copy of an old edition folder: the row says it
            data = pack(temp)
            stored = StoredEdition(record, digest(data))
            folder = self._folder(stored)
            try:
                temp.rename(folder)
            except OSError:
                if not folder.is_dir():
                    raise
                # The same files (the same digest) are there already.
            course = load_course(folder)  # what learners are about to see must load
            self.store.add(record, data, stored.sha256)
        finally:
            if temp.exists():
                shutil.rmtree(temp, ignore_errors=True)
        with self._lock:
            self._courses[(record.number, stored.sha256)] = course
            # Known at once here; the stamp is left unknown so the next check reads all.
            self._install(_Known.of(None, [*self._known.editions.values(), stored]))
        return course

    # -- the editions folder of old

    def import_folder(self, folder: Path) -> list[int]:
        """Once: the editions in `folder` (`<N>/` with an `edition.json`, as kept before
        the database held them) that the store does not have. The store's unique key
        decides between two servers importing at once. Returns the numbers imported."""
        folder = Path(folder)
        if not folder.is_dir() or (folder / IMPORTED).exists():
            return []
        self.refresh(force=True)
        if self._known.stamp is None:
            return []  # no table yet: `course serve` imports after the migrations
        imported, kept, failed = [], [], []
        for path in sorted(
            (p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()),
            key=lambda p: int(p.name),
        ):
            if not (path / RECORD).is_file():
                continue
            record = EditionRecord.from_json((path / RECORD).read_text(encoding="utf-8"))
            if record.number in self._known.editions:
                kept.append(record.number)
                continue
            try:
                self._freeze(record, path)
            except EditionExists:
                kept.append(record.number)
            except ContentError:
                log.exception("edition %s in %s does not load; not imported", record.number, path)
                failed.append(record.number)
            else:
                imported.append(record.number)
        self.refresh(force=True)
        if failed:
            return imported  # tried again at the next start, and logged each time
        lines = [
            "The editions in this folder were imported into the database, which now "
            "holds every published edition; the app no longer reads this folder.",
            f"Imported: {', '.join(map(str, imported)) or 'none'}.",
            f"Already in the database (the database's copy is kept): "
            f"{', '.join(map(str, kept)) or 'none'}.",
        ]
        atomic_write(folder / IMPORTED, "\n".join(lines) + "\n")
        if kept:
            log.warning("editions %s were in the database already; kept the database's", kept)
        return imported


def today_in(tz: str) -> date:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(tz)).date()
