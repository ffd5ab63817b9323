"""Exchange with translators: the draft as a gettext PO file, and a PO file back in.

One entry per unit: `msgctxt` is the unit key, `msgid` the other language's text (the
source), `msgstr` this language's text. An outdated text is exported as `fuzzy`, with its
old translation, so a translator's tool shows exactly what to review. Every entry carries
the fingerprint of the text it was exported with, so an import never overwrites a text a
trainer changed in the meantime.

An import goes through the same path as an editor save (services.save): the same checks,
history and "needs update" logic. A translation made from a source text that has changed
since the export stays flagged; a fuzzy entry stays flagged.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from course.core.content import LANGUAGES, check_content
from course.modules.authoring import services
from course.modules.authoring import units as u

BASE_COMMENT = "base: "
FUZZY_SENTINEL = "fuzzy"  # never a fingerprint, so the text stays "needs update"


def export_po(d: u.Draft, lang: str) -> bytes:
    source = services.other(lang)
    states = services.states(d.units.values())
    catalog = Catalog(locale=lang, project="observer-course", charset="utf-8", fuzzy=False)
    for unit in d.units.values():
        if not unit.text[source]:
            continue  # nothing to translate from yet
        outdated = states[(unit.key, lang)] == services.OUTDATED
        catalog.add(
            unit.text[source],
            unit.text[lang],
            context=unit.key,
            locations=[(unit.file_for(lang), None)],
            flags=["fuzzy"] if outdated else [],
            auto_comments=[
                f"{BASE_COMMENT}{u.fingerprint(unit.text[lang])}",
                "needs update: the source changed after this translation" if outdated else "",
            ],
        )
    out = io.BytesIO()
    write_po(out, catalog, width=0, omit_header=False, sort_output=False)
    return out.getvalue()


@dataclass
class ImportReport:
    lang: str
    changed: int = 0
    confirmed: int = 0
    still_flagged: int = 0
    errors: list[str] = field(default_factory=list)


def import_po(
    d: u.Draft, data: bytes, author: services.Author, lang: str | None = None
) -> ImportReport:
    """Apply a translated PO file to the draft, or change nothing and list the errors."""
    try:
        catalog = read_po(io.BytesIO(data), abort_invalid=True)
    except Exception as e:  # babel raises several kinds for a malformed file
        return ImportReport(lang or "", errors=[f"not a readable PO file: {e}"])
    lang = lang or (str(catalog.locale) if catalog.locale else None)
    report = ImportReport(lang or "")
    if lang not in LANGUAGES:
        report.errors.append("the file's language is not kk or ru (give --lang)")
        return report
    source = services.other(lang)
    edits: list[services.Edit] = []
    aligned_to: dict[tuple[str, str], str] = {}
    confirm: list[str] = []
    for message in catalog:
        if not message.id:
            continue  # the header
        key = message.context or ""
        unit = d.units.get(key)
        where = f"{key or '(no msgctxt)'}"
        if unit is None:
            report.errors.append(f"{where}: no such text in the course")
            continue
        text = message.string if isinstance(message.string, str) else ""
        if not text.strip():
            continue
        base = next(
            (c[len(BASE_COMMENT) :] for c in message.auto_comments if c.startswith(BASE_COMMENT)),
            None,
        )
        current = unit.text[lang]
        if base is not None and base != u.fingerprint(current) and u.normalize(text) != current:
            report.errors.append(
                f"{where}: changed in the course after the export; merge it in the editor"
            )
            continue
        fuzzy = message.fuzzy
        source_changed = u.normalize(message.id) != unit.text[source]
        if fuzzy:
            aligned_to[(key, lang)] = FUZZY_SENTINEL
        elif source_changed:
            aligned_to[(key, lang)] = u.fingerprint(message.id)
        if fuzzy or source_changed:
            report.still_flagged += 1
        if u.normalize(text) == current:
            if not fuzzy and not source_changed:
                confirm.append(key)
            continue
        edits.append(services.Edit(key, lang, text, u.fingerprint(current)))
    if report.errors:
        return report
    problems = _new_problems(d, {(e.key, e.lang): e.text for e in edits})
    if problems:
        report.errors += problems
        return report
    result = services.save(
        d, author, edits, source=services.IMPORT, translation=True, aligned_to=aligned_to
    )
    report.changed = len(result.changed)
    records = services.records_for(confirm)
    for key in confirm:
        unit = d.units[key]
        if services.unit_state(unit, lang, records) == services.OUTDATED:
            services.confirm_unit(unit, lang, records)
            report.confirmed += 1
    return report


def _new_problems(d: u.Draft, changes: dict) -> list[str]:
    """Problems the import would add to the draft (checked on a copy, before writing)."""
    if not changes:
        return []
    files = u.apply_texts(d, changes)
    with tempfile.TemporaryDirectory() as temp:
        copy = Path(temp) / "content"
        shutil.copytree(d.root, copy, ignore=shutil.ignore_patterns(".*"))
        before = {(p.path.split("/", 1)[-1], p.message) for p in check_content(copy)}
        for relative, text in files.items():
            (copy / relative).write_text(text, encoding="utf-8")
        after = check_content(copy)
    return [str(p) for p in after if (p.path.split("/", 1)[-1], p.message) not in before]
