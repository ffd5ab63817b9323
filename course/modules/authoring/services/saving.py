"""Saving drafts: refuse a save that would overwrite someone else's change, freeze the
published course first, write files atomically under a lock, record a revision per unit,
update the alignment."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from course.core.content import LANGUAGES, layout
from course.core.content.published import editions
from course.core.db import db
from course.core.files import atomic_write, file_lock
from course.modules.authoring import units as u
from course.modules.authoring.models import NEUTRAL, Revision
from course.modules.authoring.services.alignment import align
from course.modules.authoring.services.common import EDIT

# A module's dates in course.yaml: the law its text reflects, the trainers' last review.
MODULE_DATES = (":status_as_of", ":reviewed")
LOCK_FILE = ".authoring.lock"  # hidden: the loader and snapshots ignore dot-files


@dataclass(frozen=True)
class Edit:
    """A unit's text as submitted, and the fingerprint of the text the editor started from."""

    key: str
    lang: str
    text: str | None
    base: str


@dataclass(frozen=True)
class NeutralEdit:
    """A language-neutral change (a question's key, a lesson's minutes, a module's date),
    as YAML text; None removes the thing."""

    key: str
    after: str | None
    base: str
    question_set: str | None = None  # where a new question goes


@dataclass(frozen=True)
class ConflictItem:
    key: str
    lang: str
    current: str  # what is saved now, by the other trainer
    yours: str  # what this trainer sent, kept for them to merge


class Conflict(Exception):
    def __init__(self, items: list[ConflictItem]):
        self.items = items
        super().__init__(", ".join(f"{i.key} ({i.lang})" for i in items))


@dataclass
class Author:
    id: int | None
    name: str


@dataclass
class SaveResult:
    changed: list[tuple[str, str]] = field(default_factory=list)  # (unit key, lang)
    files: list[str] = field(default_factory=list)


def neutral_value(d: u.Draft, key: str) -> str | None:
    """The current YAML text of a language-neutral key (None: it does not exist)."""
    kind, _, rest = key.partition(":")
    if kind == "question" and rest.endswith(":structure"):
        found = d.find_question(rest.removesuffix(":structure"))
        return u.dump_yaml(found[1]) if found else None
    if kind == "lesson" and rest.endswith(":meta"):
        module_id, lesson_id = rest.removesuffix(":meta").split("/")
        front = u.LessonFile.parse(d.read(f"kk/{module_id}/{lesson_id}.md")).front
        if not front:
            return None
        return u.dump_yaml(
            {"minutes": front.get("minutes"), "status_as_of": front.get("status_as_of")}
        )
    if kind == "module" and rest.endswith(MODULE_DATES):
        module_id, _, name = rest.rpartition(":")
        module = d.module(module_id)
        value = getattr(module, name) if module else None
        return value.isoformat() if value else None
    raise KeyError(key)


def neutral_files(
    d: u.Draft, key: str, value: str | None, files: dict[str, str], question_set: str | None
) -> None:
    """Write a language-neutral value into the texts of the files that hold it."""
    kind, _, rest = key.partition(":")
    read = lambda path: files.get(path, d.read(path))  # noqa: E731
    if kind == "question":
        question_id = rest.removesuffix(":structure")
        found = d.find_question(question_id)
        qset = found[0] if found else None
        new = u.load_yaml(value) if value else None
        if qset is None and question_set:
            qset = d.question_set(question_set)
        if qset is None:
            raise KeyError(key)
        old_text = read(qset.structure_file) or ""
        data = u.load_yaml(old_text) or {}
        items = list(data.get(qset.list_key) or [])
        index = next((i for i, q in enumerate(items) if q.get("id") == question_id), None)
        if new is None and index is not None:
            items.pop(index)
        elif index is None:
            items.append(new)
        else:
            items[index] = new
        data[qset.list_key] = items
        files[qset.structure_file] = u.dump_yaml(data, u.leading_comments(old_text))
    elif kind == "lesson":
        module_id, lesson_id = rest.removesuffix(":meta").split("/")
        meta = u.load_yaml(value) or {}
        for lang in LANGUAGES:
            path = layout.lesson(lang, module_id, lesson_id)
            files[path] = u.set_lesson_meta(
                read(path), lesson_id, meta["minutes"], meta["status_as_of"]
            )
    elif kind == "module":
        module_id, _, name = rest.rpartition(":")
        new_text = u.set_module_date(read(layout.STRUCTURE) or "", module_id, name, value)
        if new_text is None:
            raise KeyError(key)
        files[layout.STRUCTURE] = new_text


def save(
    d: u.Draft,
    author: Author,
    edits: Iterable[Edit] = (),
    neutral: Iterable[NeutralEdit] = (),
    *,
    source: str = EDIT,
    translation: bool = False,
    aligned_to: dict[tuple[str, str], str] | None = None,
    page: str | None = None,
) -> SaveResult:
    """Apply a trainer's edits to the draft, or raise Conflict and change nothing."""
    # One save at a time across worker processes, each against the files as they are now
    # (not as the editor page read them), so no change is lost between check and write.
    with content_lock(d.root):
        return save_units(
            u.Draft(d.root, d.overlay),
            author,
            list(edits),
            list(neutral),
            source=source,
            translation=translation,
            aligned_to=aligned_to,
            page=page,
        )


def content_lock(root: Path):
    return file_lock(root / LOCK_FILE)


def save_units(
    d: u.Draft,
    author: Author,
    edits: list[Edit],
    neutral: list[NeutralEdit],
    *,
    source: str,
    translation: bool,
    aligned_to: dict[tuple[str, str], str] | None,
    page: str | None,
) -> SaveResult:
    conflicts: list[ConflictItem] = []
    # -- language-neutral changes first: they may add the units the texts belong to
    files: dict[str, str] = {}
    neutral_changes: list[tuple[str, str | None, str | None]] = []
    for n in neutral:
        current = neutral_value(d, n.key)
        if u.fingerprint(n.after) == u.fingerprint(current):
            continue
        if u.fingerprint(current) != n.base:
            conflicts.append(ConflictItem(n.key, NEUTRAL, current or "", n.after or ""))
            continue
        neutral_files(d, n.key, n.after, files, n.question_set)
        neutral_changes.append((n.key, current, n.after))
    after = u.Draft(d.root, {**d.overlay, **files}) if files else d
    known = {**d.units, **after.units}
    # -- texts
    changes: dict[tuple[str, str], str | None] = {}
    for e in edits:
        unit = known.get(e.key)
        if unit is None:
            raise KeyError(e.key)
        current = unit.text.get(e.lang, "")
        if u.normalize(e.text) == current and e.text is not None:
            continue
        if e.text is None and not current:
            continue
        if u.fingerprint(current) != e.base:
            conflicts.append(ConflictItem(e.key, e.lang, current, u.normalize(e.text)))
            continue
        changes[(e.key, e.lang)] = e.text
    if conflicts:
        raise Conflict(conflicts)
    if changes:
        files = u.apply_texts(after, changes, files, known)
    result = SaveResult(list(changes), sorted(files))
    if not files:
        return result
    editions().freeze_served_files()
    for relative, text in files.items():
        if d.read(relative) != text:
            atomic_write(d.root / relative, text)
    # -- history and alignment
    name = author.name
    for key, before, value in neutral_changes:
        db.session.add(
            Revision(
                author_id=author.id,
                author_name=name,
                source=source,
                page=page or page_of(key),
                unit_key=key,
                lang=NEUTRAL,
                before=before,
                after=value,
            )
        )
    for (key, lang), text in changes.items():
        db.session.add(
            Revision(
                author_id=author.id,
                author_name=name,
                source=source,
                page=page or known[key].page,
                unit_key=key,
                lang=lang,
                before=known[key].text.get(lang) or None,
                after=u.normalize(text) if text is not None else None,
            )
        )
    before = {key: dict(unit.text) for key, unit in known.items()}
    # A unit that did not exist before this save (a new question) had no text.
    for key in after.units.keys() - d.units.keys():
        before[key] = dict.fromkeys(LANGUAGES, "")
    align(before, changes, translation, aligned_to or {})
    db.session.flush()
    return result


def page_of(neutral_key: str) -> str:
    return neutral_key.rsplit(":", 1)[0]
