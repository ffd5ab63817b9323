"""The editor's overview: each module's translation state and what changed since the last
edition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from course.core.content import LANGUAGES
from course.core.content.editions import module_files
from course.core.content.published import editions
from course.core.content.records import EditionRecord
from course.modules.authoring import units as u
from course.modules.authoring.services.alignment import translation_gaps


@dataclass(frozen=True)
class ModuleState:
    id: str
    title: dict[str, str]
    published: bool
    draft_changed: bool
    gaps: int
    status_as_of: date | None
    reviewed: date | None  # the trainers' last review of the module, in the draft
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
                reviewed=m.reviewed,
                last_review=review,
            )
        )
    return result


def changed_modules(d: u.Draft) -> list[str]:
    root = editions().current().root
    return [m.id for m in d.modules if module_files(d.root, m.id) != module_files(root, m.id)]
