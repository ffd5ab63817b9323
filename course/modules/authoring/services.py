"""Authoring use-cases: save drafts safely, keep the languages in step, publish editions.

Every save goes the same way, whichever page or tool it comes from (the lesson and quiz
editors, a restore from history, an image upload, a translator's PO file):

1. refuse it if someone else changed a unit this save changes since the editor opened
   it (the form carries each unit's fingerprint) — nothing is lost silently;
2. freeze the published course first if it is still served from the files, so a draft
   never reaches learners;
3. write each touched file atomically (core/files.py);
4. record a revision per changed unit (who, when, before, after);
5. update the alignment of the two languages: a change of substance in one language
   flags the other "needs update"; a change made to a flagged or missing text (a
   translation) puts both in step.

Services flush but never commit; the view or command commits once.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import re
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select

from course.core.content import LANGUAGES, Problem, check_content, layout
from course.core.content.editions import EditionRecord, PublishRefused, module_files
from course.core.content.published import editions
from course.core.db import db, utcnow
from course.core.files import atomic_write
from course.modules.authoring import units as u
from course.modules.authoring.models import NEUTRAL, Alignment, Revision
from course.modules.security import services as security

OK, MISSING, OUTDATED = "ok", "missing", "outdated"
EDIT, RESTORE, IMPORT, IMAGE = "edit", "restore", "import", "image"
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}
MAX_IMAGE_SIDE = 4096
LOCK_FILE = ".authoring.lock"  # hidden: the loader and snapshots ignore dot-files


def other(lang: str) -> str:
    return next(x for x in LANGUAGES if x != lang)


def draft() -> u.Draft:
    return u.Draft(Path(current_app.config["CONTENT_DIR"]))


# ---------------------------------------------------------------- alignment


def records_for(keys: Iterable[str] | None = None) -> dict[tuple[str, str], Alignment]:
    query = select(Alignment)
    if keys is not None:
        query = query.where(Alignment.unit_key.in_(list(keys)))
    return {(a.unit_key, a.lang): a for a in db.session.scalars(query)}


def unit_state(unit: u.Unit, lang: str, records: dict) -> str:
    if not unit.text.get(lang):
        return MISSING
    record = records.get((unit.key, lang))
    counterpart = unit.text.get(other(lang))
    if record is not None and counterpart and record.counterpart != u.fingerprint(counterpart):
        return OUTDATED
    return OK


def states(units: Iterable[u.Unit]) -> dict[tuple[str, str], str]:
    units = list(units)
    records = records_for(x.key for x in units) if len(units) < 500 else records_for()
    return {(x.key, lang): unit_state(x, lang, records) for x in units for lang in LANGUAGES}


@dataclass(frozen=True)
class Gap:
    unit: u.Unit
    lang: str
    state: str  # missing or outdated


def translation_gaps(d: u.Draft) -> list[Gap]:
    found = states(d.units.values())
    return [Gap(d.units[key], lang, state) for (key, lang), state in found.items() if state != OK]


def _set_alignment(key: str, lang: str, own: str, counterpart: str, records: dict) -> None:
    record = records.get((key, lang))
    if record is None:
        record = Alignment(unit_key=key, lang=lang, own=own, counterpart=counterpart)
        db.session.add(record)
        records[(key, lang)] = record
    else:
        record.own, record.counterpart = own, counterpart


def _align(
    before: dict[str, dict[str, str]],
    changes: dict[tuple[str, str], str | None],
    translation: bool,
    aligned_to: dict[tuple[str, str], str],
) -> None:
    """Alignment after `changes` to units whose texts were `before` ({key: {lang: text}})."""
    keys = {key for key, _lang in changes}
    records = records_for(keys)
    for key in keys:
        old = before.get(key, dict.fromkeys(LANGUAGES, ""))
        new = dict(old)
        changed = [lang for lang in LANGUAGES if (key, lang) in changes]
        for lang in changed:
            new[lang] = u.normalize(changes[(key, lang)])
        if all(not new[lang] for lang in LANGUAGES):
            db.session.execute(delete(Alignment).where(Alignment.unit_key == key))
            continue
        fp = {lang: u.fingerprint(new[lang]) for lang in LANGUAGES}
        if len(changed) == len(LANGUAGES):  # both written side by side: in step
            for lang in LANGUAGES:
                _set_alignment(key, lang, fp[lang], fp[other(lang)], records)
            continue
        lang = changed[0]
        counterpart = other(lang)
        was = unit_state(u.Unit(key, None, "", "", "", (), old), lang, records)
        if translation or was in (MISSING, OUTDATED):
            # A translation: this language now follows the other (unless the translator
            # worked from an older text, in which case it stays flagged).
            target = aligned_to.get((key, lang), fp[counterpart])
            _set_alignment(key, lang, fp[lang], target, records)
            _set_alignment(key, counterpart, fp[counterpart], fp[lang], records)
        else:
            # A change of substance: the other language must follow.
            _set_alignment(key, lang, fp[lang], fp[counterpart], records)
            if (key, counterpart) not in records:
                _set_alignment(key, counterpart, fp[counterpart], u.fingerprint(old[lang]), records)


def confirm(d: u.Draft, page: str, lang: str) -> int:
    """A trainer says this language's texts on `page` are still right; returns how many."""
    page_units = d.texts_of_page(page)
    if page.startswith("question:"):  # its editor shows the scenario too
        found = d.find_question(page.removeprefix("question:"))
        if found and found[1].get("scenario"):
            page_units += d.texts_of_page(f"scenario:{found[0].id}:{found[1]['scenario']}")
    records = records_for(x.key for x in page_units)
    confirmed = 0
    for unit in page_units:
        if unit_state(unit, lang, records) == OUTDATED:
            confirm_unit(unit, lang, records)
            confirmed += 1
    db.session.flush()
    return confirmed


def confirm_unit(unit: u.Unit, lang: str, records: dict) -> None:
    """This language's text is right for the other language's text as it is now."""
    _set_alignment(
        unit.key,
        lang,
        u.fingerprint(unit.text[lang]),
        u.fingerprint(unit.text[other(lang)]),
        records,
    )


# ---------------------------------------------------------------- saving


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
    if kind == "module" and rest.endswith(":status_as_of"):
        module = d.module(rest.removesuffix(":status_as_of"))
        return module.status_as_of.isoformat() if module and module.status_as_of else None
    raise KeyError(key)


def _neutral_files(
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
        module_id = rest.removesuffix(":status_as_of")
        text = read(layout.STRUCTURE) or ""
        pattern = re.compile(
            rf"(-\s+id:\s*{re.escape(module_id)}\s*\n(?:[ \t]+[^\n]*\n)*?[ \t]+status_as_of:[ \t]*)"
            r"(\S+)"
        )
        new_text, count = pattern.subn(lambda m: m.group(1) + str(value), text, count=1)
        if count != 1:
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
        return _save(
            u.Draft(d.root, d.overlay),
            author,
            list(edits),
            list(neutral),
            source=source,
            translation=translation,
            aligned_to=aligned_to,
            page=page,
        )


@contextmanager
def content_lock(root: Path):
    with open(root / LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _save(
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
        _neutral_files(d, n.key, n.after, files, n.question_set)
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
                page=page or _page_of(key),
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
    _align(before, changes, translation, aligned_to or {})
    db.session.flush()
    return result


def _page_of(neutral_key: str) -> str:
    return neutral_key.rsplit(":", 1)[0]


# ---------------------------------------------------------------- history


def history(page: str, limit: int = 200) -> list[Revision]:
    return list(
        db.session.scalars(
            select(Revision)
            .where(Revision.page == page)
            .order_by(Revision.created_at.desc(), Revision.id.desc())
            .limit(limit)
        )
    )


def revision(revision_id: int) -> Revision | None:
    return db.session.get(Revision, revision_id)


def restore(d: u.Draft, author: Author, rev: Revision, base: str) -> SaveResult:
    """Put back the text this revision replaced, as a new revision (history is never cut)."""
    if rev.lang == NEUTRAL:
        return save(
            d, author, neutral=[NeutralEdit(rev.unit_key, rev.before, base)], source=RESTORE
        )
    return save(d, author, [Edit(rev.unit_key, rev.lang, rev.before, base)], source=RESTORE)


def current_fingerprint(d: u.Draft, key: str, lang: str) -> str:
    if lang == NEUTRAL:
        return u.fingerprint(neutral_value(d, key))
    unit = d.units.get(key)
    return u.fingerprint(unit.text.get(lang) if unit else None)


# ---------------------------------------------------------------- overview


@dataclass(frozen=True)
class ModuleState:
    id: str
    title: dict[str, str]
    published: bool
    draft_changed: bool
    gaps: int
    status_as_of: date | None
    last_review: EditionRecord | None

    @property
    def complete(self) -> bool:
        return self.gaps == 0


def modules_overview(d: u.Draft) -> list[ModuleState]:
    course = editions().current()
    published_root = course.root
    records = editions().records()
    gaps = translation_gaps(d)
    result = []
    for m in d.modules:
        published = course.module(m.id) is not None
        changed = published_root is None or module_files(d.root, m.id) != module_files(
            published_root, m.id
        )
        review = next((r for r in records if m.id in r.changed_modules), None)
        if review is None:
            review = records[-1] if records and published else None
        result.append(
            ModuleState(
                id=m.id,
                title={lang: d.units[f"module:{m.id}:title"].text[lang] for lang in LANGUAGES},
                published=published,
                draft_changed=changed,
                gaps=sum(1 for g in gaps if g.unit.module_id == m.id),
                status_as_of=m.status_as_of,
                last_review=review,
            )
        )
    return result


def changed_modules(d: u.Draft) -> list[str]:
    root = editions().current().root
    return [m.id for m in d.modules if module_files(d.root, m.id) != module_files(root, m.id)]


# ---------------------------------------------------------------- publishing


class PublishBlocked(Exception):
    def __init__(self, problems: list[Problem], gaps: list[Gap]):
        self.problems, self.gaps = problems, gaps
        super().__init__(f"{len(problems)} problems, {len(gaps)} translation gaps")


def publish_checks(d: u.Draft) -> tuple[list[Problem], list[Gap]]:
    return check_content(d.root), translation_gaps(d)


def publish(
    d: u.Draft,
    author: Author,
    law_in_force_on: date,
    note: str,
    supersedes_earlier: bool,
    today: date,
):
    """Make the draft the next edition; PublishBlocked says why not."""
    problems, gaps = publish_checks(d)
    if problems or gaps:
        raise PublishBlocked(problems, gaps)
    record = EditionRecord(
        number=editions().next_number(),
        published_on=today,
        published_at=utcnow().isoformat(timespec="seconds"),
        published_by=author.name,
        published_by_id=author.id,
        law_in_force_on=law_in_force_on,
        review_note=note.strip(),
        supersedes_earlier=supersedes_earlier,
        changed_modules=tuple(changed_modules(d)),
    )
    try:
        course = editions().publish(record)
    except PublishRefused as e:  # the files changed between the checks and the freeze
        raise PublishBlocked(e.problems, []) from e
    security.record(
        "edition_published",
        actor_id=author.id,
        subject=f"edition:{course.edition}",
        detail=f"law in force on {law_in_force_on.isoformat()}",
    )
    return course


# ---------------------------------------------------------------- images


class ImageRefused(Exception):
    """`reason`: type (not an image we accept), size (too large), alt (alt text missing)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def check_image(data: bytes, max_bytes: int) -> str:
    """The file name an accepted image is stored under (its content decides the type)."""
    from PIL import Image

    if len(data) > max_bytes:
        raise ImageRefused("size")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = IMAGE_FORMATS.get(image.format or "")
            if kind is None or max(image.size) > MAX_IMAGE_SIDE:
                raise ImageRefused("type")
            image.verify()
    except ImageRefused:
        raise
    except Exception as e:  # Pillow raises many kinds for a file that is not an image
        raise ImageRefused("type") from e
    # Named by content, never by the uploaded name: no path comes from the user.
    return f"{hashlib.sha256(data).hexdigest()[:20]}.{kind}"


def _alt(text: str) -> str:
    text = " ".join((text or "").split())
    return re.sub(r"[\[\]]", "", text)


def add_image(
    d: u.Draft,
    author: Author,
    module_id: str,
    lesson_id: str,
    data: bytes,
    alt: dict[str, str],
    bases: dict[str, str],
    max_bytes: int,
) -> str:
    """Store an image under media/ and show it at the end of the lesson in both languages."""
    alt = {lang: _alt(alt.get(lang, "")) for lang in LANGUAGES}
    if not all(alt.values()):
        raise ImageRefused("alt")
    name = check_image(data, max_bytes)
    page = f"lesson:{module_id}/{lesson_id}"
    key = f"{page}:body"
    unit = d.units[key]
    edits = [
        Edit(key, lang, f"{unit.text[lang]}\n\n![{alt[lang]}](../../media/{name})", bases[lang])
        for lang in LANGUAGES
    ]
    target = d.root / "media" / name
    existed = target.exists()
    if not existed:
        atomic_write(target, data)
    try:
        save(d, author, edits, source=IMAGE)
    except Conflict:
        if not existed:
            target.unlink()
        raise
    return name
