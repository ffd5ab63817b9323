"""What an edition is, as kept: its record (who published, when, the legal review), the
row without its files, the store's interface, and the errors of publishing. No Flask;
editions.py does the work, store.py keeps the rows in the database."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Protocol

from course.core.content import Problem


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


@dataclass(frozen=True)
class StoredEdition:
    """An edition as the database holds it, without its files: the record and the
    SHA-256 of its archive."""

    record: EditionRecord
    sha256: str


class EditionStore(Protocol):
    """Where editions are kept (store.DatabaseStore; tests may give another)."""

    def stamp(self) -> object | None:
        """A small value that changes whenever an edition is added; None while the
        store cannot be read yet (no table before the migration). StoreUnavailable
        when it cannot be asked from here."""

    def records(self) -> list[StoredEdition]:
        """Every edition, without files."""

    def archive(self, number: int) -> bytes:
        """The archive of one edition's files."""

    def add(self, record: EditionRecord, archive: bytes, sha256: str) -> None:
        """Keep a new edition, committed when this returns; EditionExists if the number
        is taken (the database's unique key decides)."""


class StoreUnavailable(Exception):
    """The store cannot be asked from here (outside an app context); not an error."""


class PublishRefused(Exception):
    """The draft cannot be published; `problems` says why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class EditionExists(Exception):
    """Someone else published this edition number a moment ago."""


class EditionDamaged(Exception):
    """An edition's archive does not match the digest recorded with it."""
