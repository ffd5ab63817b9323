"""Keeping the two languages in step: each unit's state per language (ok, missing,
outdated), the flags a change of substance sets, and a trainer's confirmation that a
text is still right."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select

from course.core.content import LANGUAGES
from course.core.db import db
from course.modules.authoring import units as u
from course.modules.authoring.models import Alignment
from course.modules.authoring.services.common import MISSING, OK, OUTDATED, other


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


def set_alignment(key: str, lang: str, own: str, counterpart: str, records: dict) -> None:
    record = records.get((key, lang))
    if record is None:
        record = Alignment(unit_key=key, lang=lang, own=own, counterpart=counterpart)
        db.session.add(record)
        records[(key, lang)] = record
    else:
        record.own, record.counterpart = own, counterpart


def align(
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
                set_alignment(key, lang, fp[lang], fp[other(lang)], records)
            continue
        lang = changed[0]
        counterpart = other(lang)
        was = unit_state(u.Unit(key, None, "", "", "", (), old), lang, records)
        if translation or was in (MISSING, OUTDATED):
            # A translation: this language now follows the other (unless the translator
            # worked from an older text, in which case it stays flagged).
            target = aligned_to.get((key, lang), fp[counterpart])
            set_alignment(key, lang, fp[lang], target, records)
            set_alignment(key, counterpart, fp[counterpart], fp[lang], records)
        else:
            # A change of substance: the other language must follow.
            set_alignment(key, lang, fp[lang], fp[counterpart], records)
            if (key, counterpart) not in records:
                set_alignment(key, counterpart, fp[counterpart], u.fingerprint(old[lang]), records)


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
    set_alignment(
        unit.key,
        lang,
        u.fingerprint(unit.text[lang]),
        u.fingerprint(unit.text[other(lang)]),
        records,
    )
